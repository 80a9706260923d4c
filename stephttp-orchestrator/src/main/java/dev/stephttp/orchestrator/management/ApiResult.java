package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a handler produced; {@link ManagementServlet} wraps it in the envelope (§2.4) and adds the
 * common headers.
 *
 * @param data the {@code data} value, or null for bodiless answers (204)
 * @param page the {@code page} object of collections, or null
 * @param timeRange {@code metadata.timeRange}, or null
 * @param etag ETag to send (and to compare with If-None-Match), or null
 * @param raw a complete body sent without the envelope (openapi.json), or null
 */
record ApiResult(int status, JsonNode data, ObjectNode page, ObjectNode timeRange, String etag,
    byte[] raw, Map<String, String> headers) {

  static ApiResult ok(JsonNode data) {
    return new ApiResult(200, data, null, null, null, null, new LinkedHashMap<>());
  }

  static ApiResult page(JsonNode data, ObjectNode page, ObjectNode timeRange) {
    return new ApiResult(200, data, page, timeRange, null, null, new LinkedHashMap<>());
  }

  static ApiResult noContent() {
    return new ApiResult(204, null, null, null, null, null, new LinkedHashMap<>());
  }

  ApiResult withEtag(String tag) {
    return new ApiResult(status, data, page, timeRange, tag, raw, headers);
  }

  ApiResult header(String name, String value) {
    headers.put(name, value);
    return this;
  }
}
