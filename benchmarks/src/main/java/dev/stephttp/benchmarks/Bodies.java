package dev.stephttp.benchmarks;

import com.github.f4b6a3.ulid.UlidCreator;
import dev.stephttp.internal.wire.StepIds;

/**
 * Request bodies as the Java client sends them (docs/protocol.md §2.1–2.2, request version 2), built
 * from string templates so the driver spends little CPU.
 */
final class Bodies {
  static final String COMPLETE = "{\"id\":\"" + StepIds.COMPLETE_ID + "\",\"op\":\"RunComplete\","
      + "\"data\":{\"status\":200,\"headers\":{\"content-type\":\"application/json\"},"
      + "\"body\":\"{\\\"ok\\\":true}\"}}";

  private Bodies() {}

  static String runId() {
    return UlidCreator.getMonotonicUlid().toString();
  }

  static String op(String code, String name, String extra) {
    return "{\"id\":\"" + StepIds.hash(name) + "\",\"op\":\"" + code + "\",\"name\":\"" + name
        + "\",\"displayName\":\"" + name + "\",\"userland\":{\"id\":\"" + name + "\"},"
        + "\"timing\":{\"a\":0,\"b\":0}" + extra + "}";
  }

  static String stepRun(String name, String dataJson) {
    return op("StepRun", name, ",\"data\":" + dataJson);
  }

  static String sleepUntil(String name, String instant) {
    return op("Sleep", name, ",\"opts\":{\"duration\":\"" + instant + "\"}");
  }

  static String waitFor(String name, String event, String timeout, String condition) {
    return op("WaitForEvent", name, ",\"opts\":{\"event\":\"" + event + "\",\"timeout\":\""
        + timeout + "\",\"if\":\"" + condition.replace("\"", "\\\"") + "\"}");
  }

  /** A create-run body for {@code GET <appBase><path>} with the given ops. */
  static String create(String runId, String appBase, String path, String... ops) {
    return "{\"run_id\":\"" + runId + "\",\"event\":{\"name\":\"inngest/http.request\","
        + "\"data\":{\"domain\":\"" + appBase + "\",\"method\":\"GET\",\"path\":\"" + path
        + "\",\"fn\":\"\",\"ip\":\"\",\"content_type\":\"\",\"query_params\":\"\",\"body\":\"\"}},"
        + "\"steps\":[" + String.join(",", ops) + "],\"ts\":" + System.currentTimeMillis()
        + ",\"request_version\":2,\"retries\":0}";
  }

  static String steps(String runId, String... ops) {
    return "{\"run_id\":\"" + runId + "\",\"steps\":[" + String.join(",", ops) + "]}";
  }

  /** The create-run answer's {@code data.token} (output token). */
  static String token(String createResponse) {
    int i = createResponse.indexOf("\"token\":\"");
    if (i < 0) {
      throw new IllegalStateException("no token in " + createResponse);
    }
    int from = i + 9;
    return createResponse.substring(from, createResponse.indexOf('"', from));
  }
}
