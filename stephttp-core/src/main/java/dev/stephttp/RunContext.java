package dev.stephttp;

import dev.stephttp.internal.Execution;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;

/**
 * The run the calling thread is executing in. Immutable view; thread-safe.
 */
public final class RunContext {
  private final Execution execution;

  private RunContext(Execution execution) {
    this.execution = execution;
  }

  /** The run of the calling thread, or empty outside a run. */
  public static Optional<RunContext> current() {
    Execution execution = Execution.current();
    return execution == null ? Optional.empty() : Optional.of(new RunContext(execution));
  }

  /** The run ID (a ULID), as the orchestrator knows it. */
  public String runId() {
    return execution.runId();
  }

  /** Whether this execution is a re-entry by the orchestrator rather than the user's request. */
  public boolean isReentry() {
    return execution.mode() == Execution.Mode.REENTRY;
  }

  /**
   * Wraps {@code task} so that it runs in the calling thread's run when executed on another
   * thread. Steps must still be called one at a time.
   */
  public static Runnable propagate(Runnable task) {
    Objects.requireNonNull(task, "task == null");
    Execution execution = Execution.current();
    if (execution == null) {
      return task;
    }
    return () -> {
      try (Execution.Scope ignored = execution.enter()) {
        task.run();
      }
    };
  }

  /** Like {@link #propagate(Runnable)}, for tasks with a result. */
  public static <T> Callable<T> propagate(Callable<T> task) {
    Objects.requireNonNull(task, "task == null");
    Execution execution = Execution.current();
    if (execution == null) {
      return task;
    }
    return () -> {
      try (Execution.Scope ignored = execution.enter()) {
        return task.call();
      }
    };
  }

  @Override
  public String toString() {
    return "RunContext{runId=" + runId() + ", reentry=" + isReentry() + "}";
  }
}
