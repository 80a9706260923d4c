package dev.stephttp.servlet;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.OkHttpClient;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/** An app on embedded Jetty (loopback, port 0) with servlets behind {@link StepHttpFilter}. */
final class TestApp implements AutoCloseable {
  final Server server;
  final String baseUrl;
  final OkHttpClient http = new OkHttpClient.Builder()
      .followRedirects(false)
      .callTimeout(Duration.ofSeconds(30))
      .build();

  /** Requests for which the filter chain has returned. */
  static final java.util.concurrent.atomic.AtomicInteger RETURNED = new java.util.concurrent.atomic.AtomicInteger();

  /** Waits until {@code n} requests have left the filter chain. */
  static void awaitReturned(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (RETURNED) {
      while (RETURNED.get() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("only " + RETURNED.get() + " of " + n + " requests returned within " + timeout);
        }
        java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(RETURNED, left);
      }
    }
  }

  private TestApp(Server server, String baseUrl) {
    this.server = server;
    this.baseUrl = baseUrl;
  }

  static TestApp start(StepHttpConfig config, Map<String, HttpServlet> servlets) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    // Bound before the filter is configured, so that its domain can be the app's real origin, as a
    // deployment configures it (outside dev mode the filter never takes it from the Host header).
    connector.open();
    String baseUrl = "http://127.0.0.1:" + connector.getLocalPort();
    if (config.domain == null && !config.trustForwardedOrigin && !Boolean.TRUE.equals(config.dev)) {
      config = config.toBuilder().domain(baseUrl).build();
    }
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    // Outermost: notes when the stephttp filter has returned (its RunComplete is queued by then).
    context.addFilter(new FilterHolder((jakarta.servlet.Filter) (rq, rs, chain) -> {
      try {
        chain.doFilter(rq, rs);
      } finally {
        synchronized (RETURNED) {
          RETURNED.incrementAndGet();
          RETURNED.notifyAll();
        }
      }
    }), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(new FilterHolder(new StepHttpFilter(config)), "/*",
        EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD, DispatcherType.ASYNC));
    for (var e : new LinkedHashMap<>(servlets).entrySet()) {
      ServletHolder holder = new ServletHolder(e.getValue());
      holder.setAsyncSupported(true);
      if (e.getValue().getClass().isAnnotationPresent(jakarta.servlet.annotation.MultipartConfig.class)) {
        holder.getRegistration().setMultipartConfig(new jakarta.servlet.MultipartConfigElement(""));
      }
      context.addServlet(holder, e.getKey());
    }
    server.setHandler(context);
    server.start();
    return new TestApp(server, baseUrl);
  }

  /**
   * A config for tests: the stand-in as orchestrator, a real signing key, quick API retries; unless
   * a test sets another origin (or dev mode), {@link #start} sets {@code domain} to the app's own.
   */
  static StepHttpConfig.Builder config(StandInOrchestrator orchestrator) {
    return StepHttpConfig.builder()
        .baseUrl(orchestrator.baseUrl())
        .signingKey(WireConformanceIT.SIGNING_KEY)
        .eventKey("test-event-key")
        .apiRetries(2, Duration.ofMillis(10))
        .environment(Map.of());
  }

  @Override
  public void close() throws Exception {
    server.stop();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }
}
