package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * The {@code data} of an HTTP trigger event: the original request of a run (docs/protocol.md §2.1);
 * immutable. Null components are omitted.
 *
 * @param domain scheme and host, e.g. {@code https://api.example.com}
 * @param method request method
 * @param path request path without query
 * @param fn explicit function ID, or {@code ""}
 * @param ip client IP, or {@code ""}
 * @param contentType request content type, or {@code ""}
 * @param queryParams raw query without {@code ?}
 * @param body base64 of the raw body ({@code http/run.started}) or raw text
 *     ({@code inngest/http.request}), or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({
  "domain", "method", "path", "fn", "ip", "content_type", "query_params", "body"
})
public record HttpRequestData(
    @JsonProperty("domain") String domain,
    @JsonProperty("method") String method,
    @JsonProperty("path") String path,
    @JsonProperty("fn") String fn,
    @JsonProperty("ip") String ip,
    @JsonProperty("content_type") String contentType,
    @JsonProperty("query_params") String queryParams,
    @JsonProperty("body") String body) {}
