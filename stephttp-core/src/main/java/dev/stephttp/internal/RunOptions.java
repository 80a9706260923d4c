package dev.stephttp.internal;

/**
 * Per-run options that a handler may set before its first step (function ID, retries, what to
 * omit). Confined to the request's thread; not thread-safe.
 */
public final class RunOptions {
  /** Retries per step when the handler does not say (as Inngest's TS client). */
  public static final int DEFAULT_RETRIES = 3;
  /** Upper bound of retries accepted by the orchestrator (docs/protocol.md §9.3). */
  public static final int MAX_RETRIES = 20;

  private String functionId = "";
  private int retries = DEFAULT_RETRIES;
  private boolean omitRequestBody;
  private boolean omitResponseBody;

  /** The function ID, or "" to derive it from method and path. */
  public String functionId() {
    return functionId;
  }

  /** Sets the function ID ("" to derive it from method and path). */
  public void functionId(String functionId) {
    this.functionId = functionId == null ? "" : functionId;
  }

  /** How often a failed step is retried. */
  public int retries() {
    return retries;
  }

  /** Sets the retries, 0 to {@value #MAX_RETRIES}. */
  public void retries(int retries) {
    if (retries < 0 || retries > MAX_RETRIES) {
      throw new IllegalArgumentException("retries must be between 0 and " + MAX_RETRIES + ", was " + retries);
    }
    this.retries = retries;
  }

  /** Whether the request body is kept from the orchestrator. */
  public boolean omitRequestBody() {
    return omitRequestBody;
  }

  /** Keeps the request body from the orchestrator (the run then cannot replay it). */
  public void omitRequestBody(boolean omit) {
    this.omitRequestBody = omit;
  }

  /** Whether the response body is kept from the orchestrator. */
  public boolean omitResponseBody() {
    return omitResponseBody;
  }

  /** Keeps the response body from the orchestrator. */
  public void omitResponseBody(boolean omit) {
    this.omitResponseBody = omit;
  }
}
