package dev.stephttp;

/**
 * The body of a step that produces a value. It may throw; a failure is retried by the
 * orchestrator or reported as {@link StepFailedException}.
 *
 * @param <T> the type of the step's result
 */
@FunctionalInterface
public interface StepFunction<T> {
  /** Runs the step and returns its result, which must be serialisable as JSON. */
  T call() throws Exception;
}
