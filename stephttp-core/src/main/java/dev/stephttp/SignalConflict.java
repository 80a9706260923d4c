package dev.stephttp;

/**
 * What {@link Step#waitForSignal} does when another run already waits for the same signal (a
 * signal resumes one wait).
 */
public enum SignalConflict {
  /**
   * The default: the new wait fails its run (error {@code SignalConflict}, "Signal conflict; signal
   * wait already exists for another run"); the older wait keeps the signal.
   */
  FAIL("fail"),
  /**
   * The new wait takes the signal over: the next signal resumes it, and the older wait only times
   * out.
   */
  REPLACE("replace");

  private final String wireName;

  SignalConflict(String wireName) {
    this.wireName = wireName;
  }

  /** The mode as the protocol writes it in the op's {@code opts.conflict}. */
  public String wireName() {
    return wireName;
  }
}
