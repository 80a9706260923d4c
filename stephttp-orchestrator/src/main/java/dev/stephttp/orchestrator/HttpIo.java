package dev.stephttp.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/** Request/response helpers: bounded body reading and the protocol's JSON bodies (§2.0). */
final class HttpIo {

  /** The body exceeded its limit. */
  static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("request body too large", null, false, false);
    }
  }

  private HttpIo() {}

  /** Reads at most {@code limit} bytes; checks Content-Length first so nothing is parsed. */
  static byte[] readBody(HttpServletRequest req, int limit) throws IOException, TooLarge {
    long declared = req.getContentLengthLong();
    if (declared > limit) {
      throw new TooLarge();
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
    byte[] buf = new byte[16 * 1024];
    try (InputStream in = req.getInputStream()) {
      int n;
      while ((n = in.read(buf)) != -1) {
        if (out.size() + n > limit) {
          throw new TooLarge();
        }
        out.write(buf, 0, n);
      }
    }
    return out.toByteArray();
  }

  /** Parses JSON or throws {@link BadRequest} with {@code prefix} and the parser's reason. */
  static JsonNode parse(byte[] body, String prefix) {
    try {
      return Json.parse(body);
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

  /** Success envelope {@code {"data": D, "metadata": {"fetched_at": …}}} (§2.0). */
  static void envelope(HttpServletResponse resp, JsonNode data) throws IOException {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("data", data);
    o.putObject("metadata").put("fetched_at", Instant.now().toString());
    json(resp, 200, o);
  }

  static void json(HttpServletResponse resp, int status, JsonNode body) throws IOException {
    byte[] bytes = (body.toString() + "\n").getBytes(StandardCharsets.UTF_8);
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
