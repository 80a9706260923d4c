package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonStringEncoder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.RequestJson;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/** Request/response helpers: bounded body reading and the protocol's JSON bodies (§2.0). */
final class HttpIo {

  private HttpIo() {}

  /** Parses JSON or throws {@link BadRequest} with {@code prefix} and the parser's reason. */
  static JsonNode parse(byte[] body, String prefix) {
    try {
      return Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(prefix + ": " + e.getMessage());
    }
  }

  /**
   * Reads a create-run or checkpoint body ({@link RequestJson}) or throws {@link BadRequest} with
   * {@code prefix} and the parser's reason.
   */
  static RequestJson.Body read(byte[] body, String prefix) {
    try {
      return RequestJson.read(body);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(prefix + ": " + e.getMessage());
    }
  }

  /** {@code {"error": msg, "data": null, "status": n}} + newline (§2.0). */
  static void error(HttpServletResponse resp, int status, String message) throws IOException {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("error", message);
    o.putNull("data");
    o.put("status", status);
    json(resp, status, o);
  }

  /**
   * Success envelope {@code {"data": D, "metadata": {"fetched_at": …}}} (§2.0) whose data is an
   * object of strings, written directly (the create-run answer: hot path).
   */
  static void envelope(HttpServletResponse resp, Map<String, String> data, Instant now)
      throws IOException {
    StringBuilder sb = new StringBuilder(1024).append("{\"data\":{");
    for (Map.Entry<String, String> e : data.entrySet()) {
      if (sb.length() > 9) {
        sb.append(',');
      }
      quote(sb, e.getKey()).append(':');
      quote(sb, e.getValue());
    }
    sb.append("},\"metadata\":{\"fetched_at\":\"").append(now).append("\"}}\n");
    write(resp, 200, sb.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static StringBuilder quote(StringBuilder sb, String s) {
    return sb.append('"').append(JsonStringEncoder.getInstance().quoteAsString(s)).append('"');
  }

  static void json(HttpServletResponse resp, int status, JsonNode body) throws IOException {
    byte[] json;
    try {
      json = Json.mapper().writeValueAsBytes(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a JSON tree could not be written", e);
    }
    byte[] bytes = Arrays.copyOf(json, json.length + 1);
    bytes[json.length] = '\n';
    write(resp, status, bytes);
  }

  private static void write(HttpServletResponse resp, int status, byte[] bytes)
      throws IOException {
    resp.setStatus(status);
    resp.setContentType("application/json");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }

  /**
   * Headers of every answer that may carry user content (a run's replayed response, stored step
   * values, echoed paths): served from the dashboard's origin, such content must never run as a
   * page there, so it is sandboxed (no scripts, opaque origin) and never content-sniffed.
   */
  static void untrusted(HttpServletResponse resp) {
    resp.setHeader("Content-Security-Policy", "sandbox");
    resp.setHeader("X-Content-Type-Options", "nosniff");
  }

  /** §2.0 rule 5: {@code 401 text/plain "Authentication failed\n"}. */
  static void authFailed(HttpServletResponse resp) throws IOException {
    byte[] bytes = "Authentication failed\n".getBytes(StandardCharsets.UTF_8);
    resp.setStatus(401);
    resp.setContentType("text/plain; charset=utf-8");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  }
}
