package dev.stephttp.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.ApiResult;
import dev.stephttp.internal.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The SSE events of a streaming durable endpoint, framed as Inngest's TypeScript SDK frames them
 * (docs/protocol.md §2.7): {@code event: <name>\ndata: <JSON>\n\n}, the JSON on one line.
 */
final class SseEvents {
  private SseEvents() {}

  static byte[] metadata(String runId) {
    return event("inngest.metadata", Json.mapper().createObjectNode().put("runId", runId));
  }

  /** A pushed chunk; {@code hashedStepId} is the running step, or null outside steps. */
  static byte[] stream(JsonNode data, String hashedStepId) {
    ObjectNode o = Json.mapper().createObjectNode();
    o.set("data", data);
    if (hashedStepId != null) {
      o.put("hashedStepId", hashedStepId);
    }
    return event("inngest.stream", o);
  }

  static byte[] commit(String hashedStepId) {
    return event("inngest.commit", Json.mapper().createObjectNode().put("hashedStepId", hashedStepId));
  }

  static byte[] rollback(String hashedStepId) {
    return event("inngest.rollback", Json.mapper().createObjectNode().put("hashedStepId", hashedStepId));
  }

  static byte[] redirect(String runId, String url) {
    return event("inngest.redirect_info", Json.mapper().createObjectNode().put("runId", runId).put("url", url));
  }

  /** The run's answer: {@code failed} carries {@code result} as it is (e.g. the handler's 500). */
  static byte[] response(ApiResult result, boolean failed) {
    ObjectNode o = Json.mapper().createObjectNode().put("status", failed ? "failed" : "succeeded");
    ObjectNode response = o.putObject("response");
    response.put("body", result.body() == null ? "" : result.body());
    response.put("statusCode", result.status());
    ObjectNode headers = response.putObject("headers");
    Map<String, String> recorded = result.headers() == null ? Map.of() : result.headers();
    for (Map.Entry<String, String> h : recorded.entrySet()) {
      headers.put(h.getKey(), h.getValue());
    }
    return event("inngest.response", o);
  }

  private static byte[] event(String name, JsonNode data) {
    return ("event: " + name + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8);
  }
}
