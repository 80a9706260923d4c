package dev.stephttp.servlet;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.BiFunction;

/**
 * How the user's request is answered when the handler turns asynchronous (a sleep, a wait, or a
 * step failure that will be retried). Immutable; thread-safe.
 */
public final class AsyncResponse {
  /** Writes a custom answer for a run that turned asynchronous. */
  @FunctionalInterface
  public interface Handler {
    /** Answers the user's request; the response is empty and uncommitted when this is called. */
    void respond(AsyncRun run, HttpServletRequest request, HttpServletResponse response) throws IOException;
  }

  private static final AsyncResponse REDIRECT = new AsyncResponse(null, null);
  private static final AsyncResponse TOKEN = new AsyncResponse(null, (run, req, resp) -> {
    ObjectNode body = Json.mapper().createObjectNode().put("run_id", run.runId()).put("token", run.token());
    byte[] bytes = Json.write(body);
    resp.setStatus(HttpServletResponse.SC_OK);
    resp.setContentType("application/json");
    resp.setContentLength(bytes.length);
    resp.getOutputStream().write(bytes);
  });

  private static final AsyncResponse PROXY = new AsyncResponse(null, (run, req, resp) -> {
    resp.setStatus(HttpServletResponse.SC_SEE_OTHER);
    resp.setHeader("Location", req.getContextPath() + OutputProxyServlet.MOUNT + "/" + run.runId() + "/output?token="
        + URLEncoder.encode(run.token(), StandardCharsets.UTF_8));
    resp.setContentLength(0);
  });

  private final BiFunction<String, String, String> urlFunction;
  private final Handler handler;

  private AsyncResponse(BiFunction<String, String, String> urlFunction, Handler handler) {
    this.urlFunction = urlFunction;
    this.handler = handler;
  }

  /** {@code 303 See Other} to the orchestrator's run-output URL (the default). */
  public static AsyncResponse redirect() {
    return REDIRECT;
  }

  /** {@code 303 See Other} to {@code urlFunction.apply(runId, token)}. */
  public static AsyncResponse redirect(BiFunction<String, String, String> urlFunction) {
    return new AsyncResponse(Objects.requireNonNull(urlFunction, "urlFunction == null"), null);
  }

  /**
   * {@code 303 See Other} to the application's own {@link OutputProxyServlet}, mapped at {@code
   * /v1/http/runs/*} in the same context: {@code Location: <context path>/v1/http/runs/<runId>/output?token=…}
   * (a path, resolved by the client against the origin it called), so the end user never talks to
   * the orchestrator.
   */
  public static AsyncResponse proxy() {
    return PROXY;
  }

  /** {@code 200} with {@code {"run_id": ..., "token": ...}} for clients that poll themselves. */
  public static AsyncResponse token() {
    return TOKEN;
  }

  /** Any answer the application wants to give. */
  public static AsyncResponse custom(Handler handler) {
    return new AsyncResponse(null, Objects.requireNonNull(handler, "handler == null"));
  }

  void respond(AsyncRun run, HttpServletRequest request, HttpServletResponse response) throws IOException {
    if (handler != null) {
      handler.respond(run, request, response);
      return;
    }
    String location = urlFunction == null ? run.outputUrl() : urlFunction.apply(run.runId(), run.token());
    if (location == null || location.isBlank()) {
      throw new IllegalStateException("the redirect URL function returned no URL for run " + run.runId());
    }
    response.setStatus(HttpServletResponse.SC_SEE_OTHER);
    response.setHeader("Location", location);
    response.setContentLength(0);
  }

  static AsyncResponse parse(String name) {
    return switch (name.trim().toLowerCase(java.util.Locale.ROOT)) {
      case "redirect" -> redirect();
      case "token" -> token();
      case "proxy" -> proxy();
      default -> throw new IllegalArgumentException(
          "asyncResponse must be 'redirect', 'proxy' or 'token', was '" + name + "'");
    };
  }

  @Override
  public String toString() {
    return handler == TOKEN.handler ? "AsyncResponse.token()"
        : handler == PROXY.handler ? "AsyncResponse.proxy()"
        : handler != null ? "AsyncResponse.custom(...)"
        : urlFunction != null ? "AsyncResponse.redirect(url)" : "AsyncResponse.redirect()";
  }
}
