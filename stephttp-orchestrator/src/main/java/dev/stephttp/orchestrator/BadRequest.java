package dev.stephttp.orchestrator;

/** Client input that fails validation; answered with a 4xx and a precise message. */
final class BadRequest extends RuntimeException {
  private static final long serialVersionUID = 1L;
  private final int status;

  BadRequest(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  BadRequest(String message) {
    this(400, message);
  }

  int status() {
    return status;
  }
}
