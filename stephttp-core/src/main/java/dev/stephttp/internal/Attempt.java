package dev.stephttp.internal;

import dev.stephttp.StepFunction;
import dev.stephttp.internal.wire.Timing;
import java.time.Instant;

/**
 * What one call of a step's function did: its result or its failure, and when. Immutable.
 *
 * @param value the result, or null
 * @param error what the function threw, or null
 * @param timing when it started and how long it ran
 */
record Attempt(Object value, Exception error, Timing timing) {
  /** Calls {@code fn}; a {@link Suspension} (an {@link Error}) passes through. */
  static Attempt of(StepFunction<?> fn) {
    long startedAt = epochNanos();
    long t0 = System.nanoTime();
    try {
      Object value = fn.call();
      return new Attempt(value, null, new Timing(startedAt, System.nanoTime() - t0));
    } catch (Exception e) {
      return new Attempt(null, e, new Timing(startedAt, System.nanoTime() - t0));
    }
  }

  private static long epochNanos() {
    Instant now = Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }
}
