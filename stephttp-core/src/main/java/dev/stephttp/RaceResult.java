package dev.stephttp;

import java.util.List;

/**
 * The outcome of {@link Step#race}: which step finished first, and its result. Immutable and
 * thread-safe.
 */
public final class RaceResult {
  private final List<LazyStep<?>> steps;
  private final LazyStep<?> winner;
  private final Object value;

  RaceResult(List<LazyStep<?>> steps, LazyStep<?> winner, Object value) {
    this.steps = steps;
    this.winner = winner;
    this.value = value;
  }

  /** The step that finished first. */
  public LazyStep<?> winner() {
    return winner;
  }

  /**
   * Whether {@code step} won the race.
   *
   * @throws IllegalArgumentException when {@code step} was not passed to this race
   */
  public boolean won(LazyStep<?> step) {
    StepResults.indexOf(steps, step, "Step.race");
    return step == winner;
  }

  /**
   * The result of {@code step}, the winner (null when it returned null).
   *
   * @throws IllegalArgumentException when {@code step} was not passed to this race
   * @throws IllegalStateException when {@code step} lost: a loser's result is never kept
   */
  @SuppressWarnings("unchecked")
  public <T> T get(LazyStep<T> step) {
    if (!won(step)) {
      throw new IllegalStateException(step + " lost the race to " + winner + "; only the winner's result is kept");
    }
    return (T) value;
  }

  @Override
  public String toString() {
    return "RaceResult{winner=" + winner.id() + "}";
  }
}
