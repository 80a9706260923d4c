package dev.stephttp.servlet;

import java.util.Objects;

/**
 * A run that just switched to asynchronous execution, as given to a custom {@link AsyncResponse}.
 *
 * @param runId the run ID
 * @param token the run-output token (a credential: do not log it)
 * @param outputUrl the URL that blocks until the run finishes and then answers with its response
 */
public record AsyncRun(String runId, String token, String outputUrl) {
  /** Validates that no field is null. */
  public AsyncRun {
    Objects.requireNonNull(runId, "runId == null");
    Objects.requireNonNull(token, "token == null");
    Objects.requireNonNull(outputUrl, "outputUrl == null");
  }

  @Override
  public String toString() {
    return "AsyncRun{runId=" + runId + "}";
  }
}
