package dev.stephttp.orchestrator.model;

/** Client input that fails validation; answered with a 4xx and a precise message. */
public final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  public BadRequest(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public BadRequest(String message) {
    this(400, message);
  }

  public int status() {
    return status;
  }
}
