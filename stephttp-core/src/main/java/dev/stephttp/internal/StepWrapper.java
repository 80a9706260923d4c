package dev.stephttp.internal;

import dev.stephttp.StepFunction;

/**
 * Wraps the function of each step an execution runs (not the memoized ones), so an integration can
 * tell which step is running and how it ended: streaming tags the chunks a step pushes with its
 * hashed ID, and commits or rolls them back when it ends. Attach one to an execution with {@link
 * Execution#attach}. Must be thread-safe when steps run on other threads.
 */
public interface StepWrapper {
  /** The function to call instead of {@code fn}, for the step with hashed ID {@code hashedId}. */
  <T> StepFunction<T> wrap(String hashedId, StepFunction<T> fn);
}
