package dev.stephttp;

import java.util.List;

/**
 * The results of {@link Step#all}: one per step, read back with the lazy step that produced it.
 * Immutable and thread-safe.
 */
public final class StepResults {
  private final List<LazyStep<?>> steps;
  private final List<Object> values;

  StepResults(List<LazyStep<?>> steps, List<Object> values) {
    this.steps = steps;
    this.values = values;
  }

  /**
   * The result of {@code step}, which may be null when the step returned null.
   *
   * @throws IllegalArgumentException when {@code step} was not passed to the {@code Step.all}
   *     call that returned these results
   */
  @SuppressWarnings("unchecked")
  public <T> T get(LazyStep<T> step) {
    return (T) values.get(indexOf(steps, step, "Step.all"));
  }

  static int indexOf(List<LazyStep<?>> steps, LazyStep<?> step, String call) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i) == step) {
        return i;
      }
    }
    throw new IllegalArgumentException(step + " was not passed to this " + call + " call; its steps are " + steps);
  }

  @Override
  public String toString() {
    return "StepResults{" + steps + "}";
  }
}
