package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The API's JSON error body {@code {"error":"…","data":null,"status":409}} (docs/protocol.md §2.0);
 * immutable.
 *
 * @param error the error message
 * @param data always written; null in every body this protocol defines
 * @param status the HTTP status, equal to the response status
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"error", "data", "status"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ApiErrorBody(String error, JsonNode data, int status) {

  /** Returns an error body with {@code data: null}. */
  public static ApiErrorBody of(String error, int status) {
    return new ApiErrorBody(error, null, status);
  }
}
