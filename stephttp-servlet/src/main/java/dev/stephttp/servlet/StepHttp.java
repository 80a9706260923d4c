package dev.stephttp.servlet;

import dev.stephttp.internal.Execution;
import dev.stephttp.internal.PassThrough;
import dev.stephttp.internal.RunOptions;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;

/** Per-request controls for handlers, and graceful shutdown. Thread-safe. */
public final class StepHttp {
  private static final Set<DurableRequests> OPEN = new CopyOnWriteArraySet<>();

  private StepHttp() {}

  /**
   * Sets this endpoint's options for the current request. Call it before the first step: the
   * function ID and retries travel with the run's creation.
   *
   * <p>In a HEAD, OPTIONS or TRACE request, which the filter lets through without a run, it does
   * nothing.
   *
   * @throws IllegalStateException outside a request handled by the stephttp filter, or after a
   *     step
   */
  public static void configure(FunctionOptions options) {
    Objects.requireNonNull(options, "options == null");
    Execution execution = requireExecution("StepHttp.configure");
    if (execution == null) {
      return;
    }
    if (execution.stepsStarted()) {
      throw new IllegalStateException("StepHttp.configure must be called before the first step of the handler");
    }
    RunOptions run = execution.options();
    if (options.id() != null) {
      run.functionId(options.id());
    }
    if (options.retries() != null) {
      run.retries(options.retries());
    }
    if (options.omitRequestBody() != null) {
      run.omitRequestBody(options.omitRequestBody());
    }
    if (options.omitResponseBody() != null) {
      run.omitResponseBody(options.omitResponseBody());
    }
    if (options.asyncResponse() != null) {
      execution.attach(AsyncResponse.class, options.asyncResponse());
    }
  }

  /**
   * Decides late whether the response body is kept from the orchestrator; does nothing in a
   * request without a run (HEAD, OPTIONS, TRACE).
   *
   * @throws IllegalStateException outside a request handled by the stephttp filter
   */
  public static void omitResponseBody(boolean omit) {
    Execution execution = requireExecution("StepHttp.omitResponseBody");
    if (execution != null) {
      execution.options().omitResponseBody(omit);
    }
  }

  /**
   * The current request's stream of chunks to its caller (docs/protocol.md §2.7): {@code
   * StepHttp.stream().push(token)} inside a step, or {@code pipe(..)} of an {@code InputStream},
   * {@code Reader} or {@code Flow.Publisher}. Outside a run, or when nobody asked for a stream, its
   * chunks go nowhere.
   */
  public static ResponseStream stream() {
    Execution execution = Execution.current();
    ResponseStream stream = execution == null ? null : execution.attachment(ResponseStream.class);
    return stream == null ? ResponseStream.NONE : stream;
  }

  /**
   * Waits until the checkpoints of every filter in this JVM have been sent (graceful shutdown);
   * false if {@code timeout} passed first. Filters also do this when they are destroyed.
   */
  public static boolean awaitCheckpoints(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    long deadline = System.nanoTime() + timeout.toNanos();
    boolean idle = true;
    for (DurableRequests d : OPEN) {
      Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
      idle &= d.awaitCheckpoints(left);
    }
    return idle;
  }

  /** What the checkpoint pipelines of every filter in this JVM have queued, dropped and refused. */
  public static CheckpointStats checkpointStats() {
    long queued = 0;
    long dropped = 0;
    long refused = 0;
    for (DurableRequests d : OPEN) {
      CheckpointStats s = d.stats();
      queued += s.queuedOps();
      dropped += s.runsDropped();
      refused += s.runsRefused();
    }
    return new CheckpointStats(queued, dropped, refused);
  }

  static void register(DurableRequests d) {
    OPEN.add(d);
  }

  static void unregister(DurableRequests d) {
    OPEN.remove(d);
  }

  /** The current execution; null in a request passed through without a run. */
  private static Execution requireExecution(String what) {
    Execution execution = Execution.current();
    if (execution == null && PassThrough.current() == null) {
      throw new IllegalStateException(
          what + " needs a run context: call it inside a request handled by StepHttpFilter or StepHttpServlet");
    }
    return execution;
  }
}
