package dev.stephttp.it;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Bounded condition waits: checks every 50 ms and fails with the condition's description. */
public final class Waits {
  private Waits() {}

  /**
   * Returns once {@code condition} holds.
   *
   * @throws AssertionError when it still does not hold after {@code timeout}
   */
  public static void until(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout.toMillis() + " ms waiting until " + what);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted waiting until " + what, e);
      }
    }
  }
}
