package dev.stephttp.orchestrator.management;

import dev.stephttp.orchestrator.engine.Refusal;
import dev.stephttp.orchestrator.http.Bodies;
import dev.stephttp.orchestrator.store.StoreException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management REST API (docs/management-api.md), mounted at {@code /api/v2/*} and {@code /v2/*}.
 * Runs the processing stages of §2.5.1 in order — routing, IP block, authentication, rate
 * limit, transport checks — then the route's handler, and writes every answer through
 * {@link ApiWriter}. Routes on the raw request URI (§2.9).
 */
public final class ManagementServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ManagementServlet.class);
  private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._~:-]{1,128}");
  static final String CSP = "default-src 'none'; frame-ancestors 'none'";
  private static final int MAX_TARGET = 8 * 1024;
  static final int MAX_BODY = 1024 * 1024;
  static final int MAX_EVENT_BODY = 512 * 1024;

  private final transient ApiRouter router;
  private final transient ApiGate gate;

  private final transient Clock clock;

  ManagementServlet(ApiRouter router, ApiGate gate, Clock clock) {
    this.router = router;
    this.gate = gate;
    this.clock = clock;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    long t0 = System.nanoTime();
    String given = req.getHeader("X-Request-ID");
    String requestId = given != null && REQUEST_ID.matcher(given).matches() ? given
        : UUID.randomUUID().toString();
    boolean head = req.getMethod().equals("HEAD");
    resp.setHeader("X-Request-ID", requestId);
    ApiWriter.securityHeaders(resp, CSP, req.isSecure());
    resp.setHeader("Cache-Control", "private, no-cache");
    String uri = req.getRequestURI();
    String base = uri.startsWith("/api/v2") ? "/api/v2" : "/v2";
    String routeName = null;
    List<String> codes = List.of();
    ApiAuth.Principal principal = null;
    try {
      if (uri.length() + (req.getQueryString() == null ? 0 : req.getQueryString().length() + 1)
          > MAX_TARGET) {
        throw ApiException.of("uri_too_long", "The request target is longer than 8 KiB.");
      }
      ApiRouter.Match m = router.match(req.getMethod(), uri.substring(base.length()));
      if (!m.pathKnown()) {
        throw ApiException.of("route_not_found", "No route matches "
            + ApiQuery.cut(uri.substring(base.length())) + ".");
      }
      gate.cors(req, resp);
      if (req.getMethod().equals("OPTIONS")) {
        options(req, resp, m);
        return;
      }
      if (!m.found()) {
        resp.setHeader("Allow", String.join(", ", m.allowed()));
        throw ApiException.of("method_not_allowed", "Method " + req.getMethod()
            + " is not allowed here; allowed: " + String.join(", ", m.allowed()) + ".");
      }
      ApiRoute route = m.route();
      routeName = route.template();
      String ip = req.getRemoteAddr();
      if (route.auth()) {
        principal = gate.authenticate(req, resp, ip);
      } else if (route.rate().equals("login")) {
        gate.checkIpBlock(ip);
      }
      gate.rateLimit(route, principal, ip, resp);
      byte[] body = transport(req, route);
      ApiCall call = new ApiCall(req, route, m.params(), new ApiQuery(req.getQueryString()), body,
          principal, requestId);
      ApiResult result;
      try {
        result = route.handler().handle(call);
      } catch (Refusal r) {
        throw ApiException.of(r.reason().code(), r.getMessage());
      }
      if (result.etag() != null && notModified(req.getHeader("If-None-Match"), result.etag())) {
        resp.setStatus(304);
        resp.setHeader("ETag", result.etag());
        return;
      }
      ApiWriter.success(resp, result, requestId, head, clock.millis());
    } catch (ApiException e) {
      codes = ApiWriter.codes(e);
      if (e.status() == 503) {
        resp.setHeader("Retry-After", resp.getHeader("Retry-After") == null ? "1"
            : resp.getHeader("Retry-After"));
      }
      ApiWriter.error(resp, e, requestId, head,
          clock.millis());
    } catch (StoreException e) {
      LOG.error("request {}: store failure", requestId, e);
      codes = List.of("storage_unavailable");
      resp.setHeader("Retry-After", "1");
      ApiWriter.error(resp, ApiException.of("storage_unavailable",
          "The durable store cannot be reached; retry shortly."), requestId, head,
          clock.millis());
    } catch (RuntimeException e) {
      LOG.error("request {}: unexpected failure", requestId, e);
      codes = List.of("internal_error");
      ApiWriter.error(resp, ApiException.of("internal_error",
          "An unexpected error occurred; quote request ID " + requestId + "."), requestId, head,
          clock.millis());
    } finally {
      log(req, resp, requestId, routeName, principal, codes, t0);
    }
  }

  private void options(HttpServletRequest req, HttpServletResponse resp, ApiRouter.Match m) {
    String allow = String.join(", ", m.allowed());
    String origin = req.getHeader("Origin");
    if (origin != null && req.getHeader("Access-Control-Request-Method") != null) {
      if (gate.corsAllowed(origin)) { // §3.6 preflight: no auth, no rate limit
        resp.setHeader("Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS");
        resp.setHeader("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept,"
            + " X-Request-ID, X-Inngest-Env, Idempotency-Key, If-None-Match");
        resp.setHeader("Access-Control-Max-Age", "7200");
      }
    } else {
      resp.setHeader("Allow", allow);
    }
    resp.setStatus(204);
  }

  /** Stage 5: Accept, body size, Content-Type, body on GET, then reads the body. */
  private static byte[] transport(HttpServletRequest req, ApiRoute route) throws IOException {
    if (!acceptsJson(req.getHeader("Accept"))) {
      throw ApiException.of("not_acceptable", "This API only produces application/json.");
    }
    if (route.template().equals("/logout")) {
      return new byte[0]; // §8.5: the body is never read
    }
    boolean post = route.method().equals("POST");
    int limit = route.template().equals("/events") ? MAX_EVENT_BODY : MAX_BODY;
    long declared = req.getContentLengthLong();
    if (post && declared > limit) {
      throw ApiException.of("payload_too_large", "The body is larger than " + limit + " bytes.");
    }
    byte[] body;
    try {
      body = Bodies.readBody(req, post ? limit : 1);
    } catch (Bodies.TooLarge e) {
      if (!post) {
        throw ApiException.of("body_not_allowed", "GET and HEAD requests must not have a body.");
      }
      throw ApiException.of("payload_too_large", "The body is larger than " + limit + " bytes.");
    }
    if (!post && body.length > 0) {
      throw ApiException.of("body_not_allowed", "GET and HEAD requests must not have a body.");
    }
    if (post && body.length > 0 && !isJson(req.getContentType())) {
      throw ApiException.of("unsupported_media_type", "The body must be application/json"
          + " (UTF-8); got " + (req.getContentType() == null ? "no Content-Type"
          : "'" + ApiQuery.cut(req.getContentType()) + "'") + ".");
    }
    return body;
  }

  static boolean isJson(String contentType) {
    if (contentType == null) {
      return false;
    }
    String[] parts = contentType.split(";");
    if (!parts[0].trim().equalsIgnoreCase("application/json")) {
      return false;
    }
    for (int i = 1; i < parts.length; i++) {
      String p = parts[i].trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("charset=") && !p.equals("charset=utf-8") && !p.equals("charset=\"utf-8\"")) {
        return false;
      }
    }
    return true;
  }

  static boolean acceptsJson(String accept) {
    if (accept == null || accept.isBlank()) {
      return true;
    }
    for (String range : accept.split(",")) {
      String[] parts = range.split(";");
      String type = parts[0].trim().toLowerCase(Locale.ROOT);
      double q = 1;
      for (int i = 1; i < parts.length; i++) {
        String p = parts[i].trim();
        if (p.startsWith("q=")) {
          try {
            q = Double.parseDouble(p.substring(2));
          } catch (NumberFormatException e) {
            q = 0;
          }
        }
      }
      if (q > 0 && (type.equals("application/json") || type.equals("application/*")
          || type.equals("*/*"))) {
        return true;
      }
    }
    return false;
  }

  /** §6.5: a list of tags or {@code *}, compared weakly. */
  static boolean notModified(String ifNoneMatch, String etag) {
    if (ifNoneMatch == null) {
      return false;
    }
    String mine = etag.startsWith("W/") ? etag.substring(2) : etag;
    for (String t : ifNoneMatch.split(",")) {
      String tag = t.trim();
      if (tag.equals("*") || (tag.startsWith("W/") ? tag.substring(2) : tag).equals(mine)) {
        return true;
      }
    }
    return false;
  }

  private static void log(HttpServletRequest req, HttpServletResponse resp, String requestId,
      String route, ApiAuth.Principal p, List<String> codes, long t0) {
    int status = resp.getStatus();
    String line = "{\"msg\":\"api_request\",\"request_id\":\"" + requestId + "\",\"method\":\""
        + req.getMethod() + "\",\"route\":\"" + (route == null ? "" : "/api/v2" + route)
        + "\",\"status\":" + status + ",\"duration_ms\":" + (System.nanoTime() - t0) / 1_000_000
        + ",\"auth\":" + (p == null ? "null" : "\"" + p.mode() + "\"") + ",\"client_ip\":\""
        + req.getRemoteAddr() + "\",\"error_codes\":" + codes.stream()
        .map(c -> "\"" + c + "\"").toList() + "}";
    if (status >= 500) {
      LOG.error(line);
    } else if (status >= 400) {
      LOG.warn(line);
    } else {
      LOG.info(line);
    }
  }
}
