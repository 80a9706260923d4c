package dev.stephttp.orchestrator.management;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Matches raw, undecoded request paths against the route table (docs/management-api.md §2.9, §6.1):
 * segments are split on {@code /} before decoding, so {@code %2F} inside an app ID stays in
 * its segment; each parameter is then percent-decoded once as UTF-8 with {@code +} literal.
 */
final class ApiRouter {

  /** Outcome of routing: a route with its parameters, or the methods the path allows. */
  record Match(ApiRoute route, Map<String, String> params, Set<String> allowed) {
    boolean found() {
      return route != null;
    }

    boolean pathKnown() {
      return !allowed.isEmpty();
    }
  }

  private final List<ApiRoute> routes;

  ApiRouter(List<ApiRoute> routes) {
    this.routes = List.copyOf(routes);
  }

  List<ApiRoute> routes() {
    return routes;
  }

  /**
   * Routes {@code rawPath} (relative to the base path, starting with {@code /}). HEAD is served
   * by the GET route (§6.2).
   */
  Match match(String method, String rawPath) {
    String[] seg = rawPath.startsWith("/") ? rawPath.substring(1).split("/", -1) : null;
    Set<String> allowed = new LinkedHashSet<>();
    ApiRoute hit = null;
    Map<String, String> hitParams = null;
    for (ApiRoute r : routes) {
      Map<String, String> params = seg == null ? null : params(r.segments(), seg);
      if (params == null) {
        continue;
      }
      allowed.add(r.method());
      if (r.method().equals("GET")) {
        allowed.add("HEAD");
      }
      boolean methodOk = r.method().equals(method)
          || (method.equals("HEAD") && r.method().equals("GET"));
      if (methodOk && hit == null) {
        hit = r;
        hitParams = params;
      }
    }
    if (!allowed.isEmpty()) {
      allowed.add("OPTIONS");
    }
    return new Match(hit, hitParams, allowed);
  }

  private static Map<String, String> params(String[] template, String[] seg) {
    if (template.length != seg.length) {
      return null;
    }
    Map<String, String> out = new LinkedHashMap<>();
    for (int i = 0; i < template.length; i++) {
      String t = template[i];
      if (t.startsWith("{")) {
        if (seg[i].isEmpty()) {
          return null;
        }
        String v = decode(seg[i]);
        if (v == null) {
          return null;
        }
        out.put(t.substring(1, t.length() - 1), v);
      } else if (!t.equals(seg[i])) {
        return null;
      }
    }
    return out;
  }

  /** Percent-decodes one path segment as UTF-8; {@code +} stays; null when malformed. */
  static String decode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        if (i + 2 >= s.length()) {
          return null;
        }
        int hi = Character.digit(s.charAt(i + 1), 16);
        int lo = Character.digit(s.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        out.write(b, 0, b.length);
      }
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  /** Every (method, template) pair, for the OpenAPI consistency check. */
  List<String> signatures() {
    List<String> out = new ArrayList<>();
    for (ApiRoute r : routes) {
      out.add(r.method() + " " + r.template());
    }
    return out;
  }
}
