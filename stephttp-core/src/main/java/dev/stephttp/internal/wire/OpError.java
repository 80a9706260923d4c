package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code error} object of an op and of a stored step failure (docs/protocol.md §6.3); immutable.
 *
 * <p>{@code data} is always written, as JSON {@code null} when absent, because the Go client
 * aborts the handler without it (docs/protocol.md Errata 1). A JSON {@code null} read for {@code data}
 * or {@code cause} is held as Java null.
 *
 * @param name error name, e.g. {@code Step error}
 * @param message error message
 * @param stack stack trace text, or null
 * @param data JSON the step returned alongside the error, or null
 * @param noRetry true when the error must not be retried, or null when unset
 * @param cause nested error JSON, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"name", "message", "stack", "data", "noRetry", "cause"})
public record OpError(
    @JsonInclude(JsonInclude.Include.ALWAYS) String name,
    @JsonInclude(JsonInclude.Include.ALWAYS) String message,
    String stack,
    @JsonInclude(JsonInclude.Include.ALWAYS) JsonNode data,
    Boolean noRetry,
    JsonNode cause) {

  /** Normalises JSON nulls in {@code data} and {@code cause} to Java null. */
  public OpError {
    data = data == null || data.isNull() || data.isMissingNode() ? null : data;
    cause = cause == null || cause.isNull() || cause.isMissingNode() ? null : cause;
  }

  /** Returns an error with only a name and a message. */
  public static OpError of(String name, String message) {
    return new OpError(name, message, null, null, null, null);
  }
}
