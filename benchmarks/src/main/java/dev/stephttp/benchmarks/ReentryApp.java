package dev.stephttp.benchmarks;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * The app the orchestrator re-enters in the latency and scale benchmarks: it records when each
 * re-entry arrives (wall clock in µs and {@code System.nanoTime()}) and answers at once as the
 * Java client does when a handler completes: {@code 206 [RunComplete]} with {@code X-Inngest-SDK}.
 */
final class ReentryApp implements AutoCloseable {
  private static final byte[] ANSWER = ("[" + Bodies.COMPLETE + "]").getBytes(StandardCharsets.UTF_8);

  /** Arrival of the first re-entry of a run. */
  record Arrival(long epochMicros, long nanoTime) {}

  private final Server server;
  private final Map<String, Arrival> arrivals = new ConcurrentHashMap<>();
  private final AtomicLong count = new AtomicLong();
  private final String baseUrl;

  ReentryApp() throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        long nanos = System.nanoTime();
        Instant now = Instant.now();
        String runId = req.getHeader("X-Run-ID");
        if (runId != null) {
          arrivals.putIfAbsent(runId,
              new Arrival(now.getEpochSecond() * 1_000_000L + now.getNano() / 1000, nanos));
          count.incrementAndGet();
        }
        req.getInputStream().readAllBytes();
        resp.setStatus(206);
        resp.setHeader("X-Inngest-SDK", "java:v0.1.0");
        resp.setContentType("application/json");
        resp.setContentLength(ANSWER.length);
        resp.getOutputStream().write(ANSWER);
      }
    }), "/*");
    server = Loopback.start("reentry-app", 100, 4, context);
    baseUrl = Loopback.url(server);
  }

  String baseUrl() {
    return baseUrl;
  }

  Arrival arrival(String runId) {
    return arrivals.get(runId);
  }

  /** Re-entry requests received (all runs, repeats included). */
  long count() {
    return count.get();
  }

  /** Runs re-entered at least once. */
  int distinctRuns() {
    return arrivals.size();
  }

  void clear() {
    arrivals.clear();
    count.set(0);
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
