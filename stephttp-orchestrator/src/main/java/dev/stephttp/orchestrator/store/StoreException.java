package dev.stephttp.orchestrator.store;

/** The durable store failed (I/O, SQL); requests that hit it answer 500/503. */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  StoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
