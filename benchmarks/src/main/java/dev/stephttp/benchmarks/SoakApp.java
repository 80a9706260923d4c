package dev.stephttp.benchmarks;

import dev.stephttp.Event;
import dev.stephttp.Step;
import dev.stephttp.WaitForEvent;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.StepHttp;
import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * The app under the soak load: the real {@code StepHttpFilter} in front of four handlers, one per
 * kind of run (sync, sleeping, event-waiting, failing once then recovering). Each answers a body
 * the driver checks.
 */
final class SoakApp implements AutoCloseable {
  static final String EVENT = "soak/approved";

  private final Server server;
  private final String baseUrl;
  /** Attempts of the flaky step per key; a key is removed when its run completes (no growth). */
  private final Map<String, Integer> attempts = new ConcurrentHashMap<>();

  SoakApp(String orchestratorUrl) throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    StepHttpConfig config = StepHttpConfig.builder().baseUrl(orchestratorUrl).dev(true).build();
    context.addFilter(new FilterHolder(new StepHttpFilter(config)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(servlet(this::sync)), "/sync");
    context.addServlet(new ServletHolder(servlet(this::sleep)), "/sleep");
    context.addServlet(new ServletHolder(servlet(this::await)), "/wait");
    context.addServlet(new ServletHolder(servlet(this::flaky)), "/flaky");
    server = Loopback.start("soak-app", 100, 8, context);
    baseUrl = Loopback.url(server);
  }

  String baseUrl() {
    return baseUrl;
  }

  /** Keys of flaky runs not completed yet (the driver checks it drains). */
  int pendingFlaky() {
    return attempts.size();
  }

  private void sync(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String a = Step.run("a", String.class, () -> "a");
    String b = Step.run("b", String.class, () -> "b");
    String c = Step.run("c", String.class, () -> "c");
    text(resp, "sync " + a + b + c);
  }

  private void sleep(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String a = Step.run("a", String.class, () -> "a");
    Step.sleep("nap", Duration.ofMillis(200));
    String b = Step.run("b", String.class, () -> "b");
    text(resp, "slept " + a + b);
  }

  private void await(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String k = req.getParameter("k");
    Step.run("a", String.class, () -> "a");
    Optional<Event> event = Step.waitForEvent("approval",
        WaitForEvent.named(EVENT).where("data.k", k).timeout(Duration.ofMinutes(2)), Event.class);
    text(resp, event.map(e -> "approved " + e.data().get("by")).orElse("timed out"));
  }

  private void flaky(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String k = req.getParameter("k");
    StepHttp.configure(FunctionOptions.builder().retries(2).build());
    String v = Step.run("call", String.class, () -> {
      if (attempts.merge(k, 1, Integer::sum) == 1) {
        throw new IllegalStateException("first attempt fails");
      }
      return "recovered";
    });
    attempts.remove(k);
    text(resp, v);
  }

  private static void text(HttpServletResponse resp, String body) throws IOException {
    resp.setStatus(200);
    resp.setContentType("text/plain;charset=utf-8");
    resp.getOutputStream().write(body.getBytes(StandardCharsets.UTF_8));
  }

  /** A route's handler. */
  private interface Route {
    void handle(HttpServletRequest req, HttpServletResponse resp) throws IOException;
  }

  private static HttpServlet servlet(Route route) {
    return new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        route.handle(req, resp);
      }
    };
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }
}
