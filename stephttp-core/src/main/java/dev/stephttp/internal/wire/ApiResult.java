package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.Map;

/**
 * The HTTP result carried by a {@code RunComplete} op and replayed by the output endpoint
 * (docs/protocol.md §7.3); immutable when built with an immutable map. Null components are omitted.
 *
 * @param status HTTP status (0 when absent on the wire)
 * @param headers one value per header name (Go: canonical names, TS: lowercase), or null
 * @param body the response body as UTF-8 text, or null
 * @param duration nanoseconds since the request started (Go only), or null
 * @param error error text (Go only), or null
 * @param version result format version ({@code 2} from TS), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"status", "headers", "body", "duration", "error", "version"})
public record ApiResult(
    @JsonInclude(JsonInclude.Include.ALWAYS) int status,
    Map<String, String> headers,
    String body,
    Long duration,
    String error,
    Integer version) {

  /** Returns a result with only status, headers and body. */
  public static ApiResult of(int status, Map<String, String> headers, String body) {
    return new ApiResult(status, headers, body, null, null, null);
  }
}
