package dev.stephttp.internal;

/** A call to the orchestrator failed: a network error, or an error status after all retries. */
public final class OrchestratorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final boolean mayHaveArrived;

  OrchestratorException(String message, int status, Throwable cause) {
    this(message, status, cause, status >= 500);
  }

  private OrchestratorException(String message, int status, Throwable cause, boolean mayHaveArrived) {
    super(message, cause);
    this.status = status;
    this.mayHaveArrived = mayHaveArrived;
  }

  /** The same failure, saying whether any of the call's attempts may have been processed. */
  OrchestratorException afterAttempts(boolean anyMayHaveArrived) {
    return new OrchestratorException(getMessage(), status, getCause(), anyMayHaveArrived);
  }

  /**
   * Whether the orchestrator may have processed one of the call's attempts: false only when every
   * attempt failed to connect or was refused with a 4xx, so a create-run certainly created nothing.
   */
  public boolean mayHaveArrived() {
    return mayHaveArrived;
  }

  /** The last HTTP status received, or -1 when no response arrived. */
  public int status() {
    return status;
  }
}
