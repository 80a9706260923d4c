package dev.stephttp;

/**
 * Thrown by a step function to fail the step at once, without retries. {@link Step#run} then throws
 * {@link StepFailedException} in the handler.
 */
public class NonRetriableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception with a message. */
  public NonRetriableException(String message) {
    super(message);
  }

  /** Creates the exception with a message and a cause. */
  public NonRetriableException(String message, Throwable cause) {
    super(message, cause);
  }
}
