package dev.stephttp.examples;

import dev.stephttp.Step;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /partner?key=k1}: calls a partner that fails the first call for each key. The failed
 * step turns the request asynchronous; the orchestrator retries it and the caller, following the
 * redirect, gets the answer of the successful attempt.
 */
public final class FlakyPartnerServlet extends HttpServlet {
  private static final long serialVersionUID = 1L;

  /** Partner calls per key. */
  public static final Map<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();

  @Override
  protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().id("GET /partner").retries(2).build());
    String key = req.getParameter("key") == null ? "default" : req.getParameter("key");
    Integer attempt = Step.run("call-partner", Integer.class, () -> {
      int n = CALLS.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      if (n == 1) {
        throw new IllegalStateException("partner timed out");
      }
      return n;
    });
    Json.write(resp, 200, Map.of("key", key, "answeredOnAttempt", attempt));
  }
}
