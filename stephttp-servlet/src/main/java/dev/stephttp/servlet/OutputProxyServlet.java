package dev.stephttp.servlet;

import com.github.f4b6a3.ulid.Ulid;
import dev.stephttp.internal.Sdk;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a run's final answer on the application's own origin: {@code GET
 * <mount>/{runId}/output?token=…} asks the orchestrator's run-output endpoint ({@code
 * docs/protocol.md} §3) and relays its status, headers and body unchanged, so the end user never
 * talks to the orchestrator. Map it at {@code /v1/http/runs/*} and choose {@link
 * AsyncResponse#proxy()} to send users there at the async switch.
 *
 * <p>The orchestrator is the only host it ever calls: the configured {@code baseUrl}, with a run ID
 * that must be a ULID and the token sent as a query parameter. It needs no signing key (the token
 * is the credential) and holds no thread while it waits when the container supports async
 * servlets. CORS is off unless allowed origins are given. Thread-safe.
 */
public final class OutputProxyServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;
  private static final Logger log = LoggerFactory.getLogger(OutputProxyServlet.class);
  /** Longer than the orchestrator's longest wait (5 minutes by default, docs/protocol.md §3.3). */
  static final Duration UPSTREAM_TIMEOUT = Duration.ofMinutes(6);
  static final int MAX_TOKEN_CHARS = 4096;
  /** Where {@link AsyncResponse#proxy()} expects it, under the application's context path. */
  static final String MOUNT = "/v1/http/runs";
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_\\-.~+/=]+");
  /** Not relayed: hop-by-hop, recomputed by the container, or the proxy's own CORS answer. */
  private static final Set<String> NOT_RELAYED = Set.of("connection", "keep-alive", "transfer-encoding", "te",
      "trailer", "upgrade", "proxy-authenticate", "proxy-authorization", "content-length", "date", "server");
  private static final String ALLOW = "GET, OPTIONS";

  private final transient StepHttpConfig config;
  private final transient Set<String> corsOrigins;
  private transient volatile String outputBase;
  private transient volatile OkHttpClient http;

  /** A proxy to the orchestrator of {@code config} (its {@code baseUrl}), without CORS. */
  public OutputProxyServlet(StepHttpConfig config) {
    this(config, Set.of());
  }

  /**
   * A proxy that also answers browsers on other origins: {@code corsOrigins} lists the allowed
   * origins ({@code https://app.example.com}), or holds {@code "*"} for any.
   */
  public OutputProxyServlet(StepHttpConfig config, Set<String> corsOrigins) {
    this.config = Objects.requireNonNull(config, "config == null");
    this.corsOrigins = Set.copyOf(Objects.requireNonNull(corsOrigins, "corsOrigins == null"));
  }

  /**
   * Whether {@code request} is for {@code <context>/v1/http/runs/{runId}/output}: the filter lets
   * these through without a run, so that a filter mapped at {@code /*} does not make the proxy's
   * answers durable runs of their own.
   */
  static boolean isOutputPath(HttpServletRequest request) {
    String uri = request.getRequestURI();
    // Every request of a filter passes here: the cheap test first, and no copy of the path.
    return uri.endsWith("/output")
        && uri.startsWith(MOUNT + "/", Math.min(request.getContextPath().length(), uri.length()));
  }

  @Override
  public void init(ServletConfig servletConfig) throws ServletException {
    super.init(servletConfig);
    try {
      outputBase = DurableRequests.stripSlash(config.clientSettings().baseUrl()) + "/v1/http/runs/";
    } catch (RuntimeException e) {
      throw new ServletException("stephttp: invalid configuration: " + e.getMessage(), e);
    }
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(1024); // every user waiting on a run holds one call; okhttp's default is 64
    dispatcher.setMaxRequestsPerHost(1024); // ... and 5 per host
    http = new OkHttpClient.Builder().dispatcher(dispatcher).followRedirects(false).followSslRedirects(false)
        .retryOnConnectionFailure(false).connectTimeout(Duration.ofSeconds(10))
        .readTimeout(UPSTREAM_TIMEOUT).callTimeout(UPSTREAM_TIMEOUT).build();
  }

  @Override
  public void destroy() {
    OkHttpClient h = http;
    http = null;
    if (h != null) {
      h.dispatcher().cancelAll();
      h.dispatcher().executorService().shutdown();
      h.connectionPool().evictAll();
    }
  }

  @Override
  protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    resp.setHeader("X-Inngest-SDK", Sdk.HEADER_VALUE);
    String origin = allowedOrigin(req);
    if (!corsOrigins.isEmpty() && !corsOrigins.contains("*")) {
      resp.addHeader("Vary", "Origin"); // the answer depends on the caller's origin: caches must know
    }
    String method = req.getMethod();
    if (method.equals("OPTIONS")) {
      resp.setHeader("Allow", ALLOW);
      if (origin != null) {
        cors(resp, origin);
        resp.setHeader("Access-Control-Allow-Methods", ALLOW);
        resp.setHeader("Access-Control-Max-Age", "86400");
        String asked = req.getHeader("Access-Control-Request-Headers");
        if (asked != null && !asked.isBlank()) {
          resp.setHeader("Access-Control-Allow-Headers", asked);
        }
      }
      resp.setStatus(HttpServletResponse.SC_NO_CONTENT);
      return;
    }
    if (origin != null) {
      cors(resp, origin);
    }
    if (!method.equals("GET")) {
      resp.setHeader("Allow", ALLOW);
      ErrorBodies.write(resp, 405, ErrorBodies.errors("method_not_allowed",
          "the run-output proxy answers GET and OPTIONS only"));
      return;
    }
    String uri = req.getRequestURI();
    int end = uri.endsWith("/output") ? uri.length() - "/output".length() : -1;
    int start = end < 0 ? -1 : uri.lastIndexOf('/', end - 1);
    if (start < 0) {
      ErrorBodies.write(resp, 404, ErrorBodies.errors("not_found",
          "the run-output proxy serves <mount>/{runId}/output?token=… only"));
      return;
    }
    String runId = uri.substring(start + 1, end);
    if (!Ulid.isValid(runId)) {
      ErrorBodies.write(resp, 400, ErrorBodies.errors("invalid_run_id", "the run ID must be a ULID (26 characters)"));
      return;
    }
    String token = req.getParameter("token");
    if (token == null || token.isEmpty()) {
      ErrorBodies.write(resp, 400, ErrorBodies.errors("missing_token", "the token query parameter is required"));
      return;
    }
    if (token.length() > MAX_TOKEN_CHARS || !TOKEN.matcher(token).matches()) {
      ErrorBodies.write(resp, 400, ErrorBodies.errors("invalid_token",
          "the token must be at most " + MAX_TOKEN_CHARS + " characters of a JWT"));
      return;
    }
    OkHttpClient h = http;
    if (h == null) {
      unavailable(resp, "the proxy is shutting down");
      return;
    }
    Request upstream = new Request.Builder()
        .url(outputBase + runId.toUpperCase(Locale.ROOT) + "/output?token=" + URLEncoder.encode(token, StandardCharsets.UTF_8))
        .header("User-Agent", Sdk.HEADER_VALUE).header("X-Inngest-SDK", Sdk.HEADER_VALUE).build();
    Call call = h.newCall(upstream);
    if (req.isAsyncSupported()) {
      AsyncContext async = req.startAsync();
      async.setTimeout(UPSTREAM_TIMEOUT.toMillis() + 10_000);
      call.enqueue(new Callback() {
        @Override
        public void onResponse(Call c, Response r) {
          try (r) {
            relay(r, (HttpServletResponse) async.getResponse(), runId, origin != null);
          } catch (IOException | RuntimeException e) {
            log.debug("run {}: the output proxy could not answer: {}", runId, e.toString());
          } finally {
            async.complete();
          }
        }

        @Override
        public void onFailure(Call c, IOException e) {
          try {
            unavailable((HttpServletResponse) async.getResponse(), e.toString());
          } catch (IOException | RuntimeException e2) {
            log.debug("run {}: the output proxy could not answer: {}", runId, e2.toString());
          } finally {
            async.complete();
          }
        }
      });
      return;
    }
    try (Response r = call.execute()) {
      relay(r, resp, runId, origin != null);
    } catch (IOException e) {
      if (!resp.isCommitted()) {
        resp.reset();
        unavailable(resp, e.toString());
      }
    }
  }

  /** The orchestrator's answer, status, headers and body, to the user. */
  private static void relay(Response r, HttpServletResponse resp, String runId, boolean withCors) throws IOException {
    resp.setStatus(r.code());
    List<String> exposed = new ArrayList<>();
    for (String name : r.headers().names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (NOT_RELAYED.contains(lower) || lower.startsWith("access-control-")) {
        continue;
      }
      for (String value : r.headers(name)) {
        resp.addHeader(name, value);
      }
      exposed.add(name);
    }
    if (withCors && !exposed.isEmpty()) {
      // A browser's script on another origin may read what the run answered, its headers included.
      resp.setHeader("Access-Control-Expose-Headers", String.join(", ", exposed));
    }
    ResponseBody body = r.body();
    long length = body.contentLength();
    if (length >= 0) {
      resp.setContentLengthLong(length);
    }
    log.debug("run {}: output relayed with status {}", runId, r.code());
    try (InputStream in = body.byteStream()) {
      OutputStream out = resp.getOutputStream();
      in.transferTo(out);
    }
  }

  private static void unavailable(HttpServletResponse resp, String reason) throws IOException {
    log.warn("output proxy: the orchestrator did not answer: {}", reason);
    resp.setHeader("Retry-After", "5");
    ErrorBodies.write(resp, 502, ErrorBodies.errors("orchestrator_unavailable",
        "The orchestrator did not answer; call this URL again later."));
  }

  private String allowedOrigin(HttpServletRequest req) {
    String origin = req.getHeader("Origin");
    if (origin == null || corsOrigins.isEmpty()) {
      return null;
    }
    return corsOrigins.contains("*") ? "*" : corsOrigins.contains(origin) ? origin : null;
  }

  private static void cors(HttpServletResponse resp, String origin) {
    resp.setHeader("Access-Control-Allow-Origin", origin);
  }
}
