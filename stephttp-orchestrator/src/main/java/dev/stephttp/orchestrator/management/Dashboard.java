package dev.stephttp.orchestrator.management;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;

/**
 * Serves the dashboard's static files from the classpath folder {@code dashboard/}: {@code GET /}
 * is {@code index.html}, other paths map to files below it. Security headers as in
 * docs/management-api.md §3.7, with a CSP that allows same-origin scripts, styles and API calls.
 */
public final class Dashboard extends HttpServlet {
  private static final long serialVersionUID = 1L;
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self';"
      + " img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none';"
      + " form-action 'self'; frame-ancestors 'none'";
  private static final Pattern SAFE = Pattern.compile("(/[A-Za-z0-9_][A-Za-z0-9._-]*)+");
  private static final Map<String, String> TYPES = Map.ofEntries(
      Map.entry("html", "text/html; charset=utf-8"),
      Map.entry("js", "text/javascript; charset=utf-8"),
      Map.entry("mjs", "text/javascript; charset=utf-8"),
      Map.entry("css", "text/css; charset=utf-8"),
      Map.entry("json", "application/json; charset=utf-8"),
      Map.entry("svg", "image/svg+xml"), Map.entry("png", "image/png"),
      Map.entry("ico", "image/x-icon"), Map.entry("woff2", "font/woff2"),
      Map.entry("txt", "text/plain; charset=utf-8"), Map.entry("map", "application/json"));

  /** Mounts the management API at /api/v2/* and /v2/* and the dashboard files at /. */
  public static void mount(ServletContextHandler context, ManagementServlet management) {
    ServletHolder api = new ServletHolder("management-api", management);
    context.getServletHandler().addServletWithMapping(api, "/api/v2/*");
    context.getServletHandler().addServletWithMapping(api, "/v2/*");
    ServletHolder files = new ServletHolder("dashboard", new Dashboard());
    context.getServletHandler().addServletWithMapping(files, ""); // exactly "/"
    context.getServletHandler().addServletWithMapping(files, "/dashboard/*");
    for (String asset : new String[] {"/index.html", "/app.js", "/app.css", "/favicon.ico",
        "/favicon.svg", "/assets/*", "/js/*", "/css/*"}) {
      context.getServletHandler().addServletWithMapping(files, asset);
    }
  }

  /** Whether a classpath resource exists for this request path (the fallback of ProtocolServlet). */
  public static boolean has(String path) {
    String name = resource(path);
    return name != null && Dashboard.class.getClassLoader().getResource(name) != null;
  }

  private static String resource(String path) {
    if (path == null || path.isEmpty() || path.equals("/") || path.equals("/dashboard")
        || path.equals("/dashboard/")) {
      return "dashboard/index.html";
    }
    if (!SAFE.matcher(path).matches() || path.contains("..")) {
      return null;
    }
    String p = path.startsWith("/dashboard/") ? path.substring("/dashboard".length()) : path;
    if (p.equals("/") || p.isEmpty()) {
      return "dashboard/index.html";
    }
    return "dashboard" + p;
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    serve(req, resp);
  }

  public static void serve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    ApiWriter.securityHeaders(resp, CSP, req.isSecure());
    String method = req.getMethod();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      resp.setHeader("Allow", "GET, HEAD");
      plain(resp, 405, "Method not allowed\n");
      return;
    }
    String path = req.getRequestURI();
    String name = resource(path);
    InputStream in = name == null ? null : Dashboard.class.getClassLoader()
        .getResourceAsStream(name);
    if (in == null) {
      plain(resp, 404, "Not found\n");
      return;
    }
    byte[] bytes;
    try (in) {
      bytes = in.readAllBytes();
    }
    String ext = name.substring(name.lastIndexOf('.') + 1).toLowerCase(Locale.ROOT);
    resp.setStatus(200);
    resp.setContentType(TYPES.getOrDefault(ext, "application/octet-stream"));
    // Revalidated every time: the modules are unversioned, so a cached one could run against a
    // newer index.html after an upgrade. They are small and served from the same machine.
    resp.setHeader("Cache-Control", "no-cache");
    resp.setContentLength(bytes.length);
    if (method.equals("GET")) {
      resp.getOutputStream().write(bytes);
    }
  }

  private static void plain(HttpServletResponse resp, int status, String text)
      throws IOException {
    byte[] b = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    resp.setStatus(status);
    resp.setContentType("text/plain; charset=utf-8");
    resp.setContentLength(b.length);
    resp.getOutputStream().write(b);
  }
}
