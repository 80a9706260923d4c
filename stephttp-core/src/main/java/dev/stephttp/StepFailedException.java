package dev.stephttp;

/**
 * Thrown by {@link Step#run} when a step has finally failed: its function threw and no retry is
 * left (retries exhausted, retries set to 0, or a {@link NonRetriableException}). The handler may
 * catch it and answer as it sees fit; the run then completes normally with that answer.
 */
public final class StepFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String stepId;
  private final String errorName;
  private final String errorMessage;

  /** Creates the exception for step {@code stepId} that failed with the given error. */
  public StepFailedException(String stepId, String errorName, String errorMessage, Throwable cause) {
    super("step '" + stepId + "' failed: " + errorName + ": " + errorMessage, cause);
    this.stepId = stepId;
    this.errorName = errorName;
    this.errorMessage = errorMessage;
  }

  /** The step ID as the handler passed it to {@code Step.run}. */
  public String stepId() {
    return stepId;
  }

  /** The error's name, e.g. the simple class name of the exception the step threw. */
  public String errorName() {
    return errorName;
  }

  /** The error's message as recorded when the step failed. */
  public String errorMessage() {
    return errorMessage;
  }
}
