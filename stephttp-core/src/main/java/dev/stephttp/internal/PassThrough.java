package dev.stephttp.internal;

import java.util.Objects;

/**
 * Marks the calling thread as serving a request that an integration lets through without a run,
 * because its method cannot be made durable (HEAD, OPTIONS, TRACE: docs/how-it-works.md). Inside
 * it {@code Step.run} just calls its function, as outside any run, and the asynchronous steps throw
 * {@link Refused}, which the integration can answer with a precise status.
 */
public final class PassThrough {
  private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

  private PassThrough() {}

  /** Marks the calling thread as serving a {@code method} request until the scope is closed. */
  public static Execution.Scope enter(String method) {
    Objects.requireNonNull(method, "method == null");
    String previous = CURRENT.get();
    CURRENT.set(method);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  /** The method of the request the calling thread passes through, or null. */
  public static String current() {
    return CURRENT.get();
  }

  /** An asynchronous step called in a request that passes through without a run. */
  public static final class Refused extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Refuses {@code what} (e.g. {@code "Step.sleep"}) in a {@code method} request. */
    public Refused(String what, String method) {
      super(what + " cannot be used in a " + method + " request: HEAD, OPTIONS and TRACE requests pass"
          + " through the stephttp filter without a run, so nothing can be paused or resumed");
    }
  }
}
