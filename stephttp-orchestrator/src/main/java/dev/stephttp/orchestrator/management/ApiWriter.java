package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;

/**
 * The one writer every management API response goes through (docs/management-api.md §12): envelope
 * and metadata (§2.4), error bodies (§2.5), security headers (§3.7). Bodies are
 * {@code application/json; charset=utf-8} except for 204, 304 and HEAD.
 */
final class ApiWriter {
  static final String JSON = "application/json; charset=utf-8";

  private ApiWriter() {}

  /** §3.7 headers; also used by the dashboard servlet with its own CSP. */
  static void securityHeaders(HttpServletResponse resp, String csp, boolean https) {
    resp.setHeader("X-Content-Type-Options", "nosniff");
    resp.setHeader("X-Frame-Options", "DENY");
    resp.setHeader("Content-Security-Policy", csp);
    resp.setHeader("Referrer-Policy", "no-referrer");
    resp.setHeader("Cross-Origin-Resource-Policy", "same-origin");
    resp.setHeader("X-XSS-Protection", "0");
    if (https) {
      resp.setHeader("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
    }
  }

  static ObjectNode metadata(String requestId, ObjectNode timeRange, long now) {
    ObjectNode m = ApiJson.F.objectNode();
    m.put("fetchedAt", ApiJson.ts(now));
    m.putNull("cachedUntil");
    m.put("requestId", requestId);
    if (timeRange == null) {
      m.putNull("timeRange");
    } else {
      m.set("timeRange", timeRange);
    }
    return m;
  }

  static ObjectNode timeRange(Long from, Long until) {
    if (from == null && until == null) {
      return null;
    }
    ObjectNode t = ApiJson.F.objectNode();
    if (from == null) {
      t.putNull("from");
    } else {
      t.put("from", ApiJson.ts(from));
    }
    if (until == null) {
      t.putNull("until");
    } else {
      t.put("until", ApiJson.ts(until));
    }
    return t;
  }

  static ObjectNode page(String cursor, boolean hasMore, int limit) {
    ObjectNode p = ApiJson.F.objectNode();
    if (cursor == null) {
      p.putNull("cursor");
    } else {
      p.put("cursor", cursor);
    }
    p.put("hasMore", hasMore);
    p.put("limit", limit);
    return p;
  }

  static void success(HttpServletResponse resp, ApiResult r, String requestId, boolean head,
      long now)
      throws IOException {
    resp.setStatus(r.status());
    r.headers().forEach(resp::setHeader);
    if (r.etag() != null) {
      resp.setHeader("ETag", r.etag());
    }
    if (r.status() == 204 || r.status() == 304) {
      return;
    }
    byte[] bytes;
    if (r.raw() != null) {
      bytes = r.raw();
    } else {
      ObjectNode o = ApiJson.F.objectNode();
      o.set("data", r.data());
      o.set("metadata", metadata(requestId, r.timeRange(), now));
      if (r.page() != null) {
        o.set("page", r.page());
      }
      bytes = ApiJson.bytes(o);
    }
    send(resp, bytes, head);
  }

  static void error(HttpServletResponse resp, ApiException e, String requestId, boolean head,
      long now)
      throws IOException {
    resp.setStatus(e.status());
    resp.setHeader("Cache-Control", "no-store");
    ObjectNode o = ApiJson.F.objectNode();
    ArrayNode errors = o.putArray("errors");
    for (ApiException.Error err : e.errors()) {
      ObjectNode x = errors.addObject();
      x.put("code", err.code());
      x.put("message", err.message());
      if (err.field() == null) {
        x.putNull("field");
      } else {
        x.put("field", err.field());
      }
    }
    o.set("metadata", metadata(requestId, null, now));
    send(resp, ApiJson.bytes(o), head);
  }

  private static void send(HttpServletResponse resp, byte[] bytes, boolean head)
      throws IOException {
    resp.setHeader("Content-Type", JSON);
    resp.setContentLength(bytes.length);
    if (!head) {
      resp.getOutputStream().write(bytes);
    }
  }

  static List<String> codes(ApiException e) {
    return e.errors().stream().map(ApiException.Error::code).toList();
  }
}
