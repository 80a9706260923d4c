package dev.stephttp.orchestrator.engine;

import java.util.Locale;

/**
 * The engine refused a change: the state it was asked to change does not allow it. Nothing was
 * stored. Stackless: it is an answer, not a bug.
 */
public final class Refusal extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why. */
  public enum Reason {
    RUN_NOT_FOUND, RUN_ALREADY_CANCELLED, RUN_ALREADY_FINISHED, RUN_NOT_REPLAYABLE,
    IDEMPOTENCY_CONFLICT;

    /** The reason in snake case, e.g. {@code run_not_found}. */
    public String code() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  private final Reason reason;

  Refusal(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
