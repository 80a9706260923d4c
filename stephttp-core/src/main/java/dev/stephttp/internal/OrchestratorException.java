package dev.stephttp.internal;

/** A call to the orchestrator failed: a network error, or an error status after all retries. */
public final class OrchestratorException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  OrchestratorException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** The last HTTP status received, or -1 when no response arrived. */
  public int status() {
    return status;
  }
}
