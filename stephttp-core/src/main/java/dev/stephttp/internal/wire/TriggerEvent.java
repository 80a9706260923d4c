package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The triggering event of a durable-endpoint run (docs/protocol.md §2.1); immutable. Null components
 * are omitted.
 *
 * @param name {@link #HTTP_REQUEST} (TS) or {@link #GO_HTTP_RUN_STARTED} (Go)
 * @param data the original HTTP request
 * @param id event ID, or null
 * @param ts event time in unix milliseconds, or null
 * @param v event version, or null
 * @param user user object, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"name", "data", "id", "ts", "v", "user"})
public record TriggerEvent(
    String name, HttpRequestData data, String id, Long ts, String v, JsonNode user) {

  /** Event name used by the TS client; its body is raw text. */
  public static final String HTTP_REQUEST = "inngest/http.request";

  /** Event name used by the Go client; its body is base64. */
  public static final String GO_HTTP_RUN_STARTED = "http/run.started";

  /** True when this is a Go client's trigger ({@link #GO_HTTP_RUN_STARTED}, docs/protocol.md §12). */
  @JsonIgnore
  public boolean isGoClient() {
    return GO_HTTP_RUN_STARTED.equals(name);
  }
}
