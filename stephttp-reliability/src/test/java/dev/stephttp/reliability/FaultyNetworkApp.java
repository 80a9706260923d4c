package dev.stephttp.reliability;

import dev.stephttp.Step;
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
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The app under test on embedded Jetty behind {@link StepHttpFilter}, with the suite's two
 * handlers. Each request names its case in {@code ?case=}; step bodies count their executions per
 * case; a test may hook in after step a ({@link #afterFirstStep}). Thread-safe.
 *
 * <ul>
 *   <li>{@code /sync}: {@code Step.run("a")}, {@code Step.run("b")}, {@code 200 "sync <case>"}.
 *   <li>{@code /switch}: {@code Step.run("a")}, {@code Step.sleep("s", 1 s)}, {@code Step.run("b")},
 *       {@code 200 "done <case>"}; 20 retries, so that faulty re-entries do not exhaust them.
 * </ul>
 */
final class FaultyNetworkApp implements AutoCloseable {
  private final Server server;
  private final int port;
  private final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
  private final Map<String, Runnable> afterFirstStep = new ConcurrentHashMap<>();

  private FaultyNetworkApp(Server server, int port) {
    this.server = server;
    this.port = port;
  }

  /**
   * Starts the app on 127.0.0.1 and a free port; {@code config} gets that port (to place a proxy in
   * front of it) and returns the filter's configuration.
   */
  static FaultyNetworkApp start(IntFunction<StepHttpConfig> config) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    connector.open();
    FaultyNetworkApp app = new FaultyNetworkApp(server, connector.getLocalPort());
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(new StepHttpFilter(config.apply(app.port))), "/*",
        EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(app.new Handlers()), "/*");
    server.setHandler(context);
    server.start();
    return app;
  }

  String url() {
    return "http://127.0.0.1:" + port;
  }

  /** How often step {@code step} of case {@code caseName} ran. */
  int executions(String caseName, String step) {
    AtomicInteger n = executions.get(caseName + "/" + step);
    return n == null ? 0 : n.get();
  }

  /**
   * Runs {@code hook} in the handler of case {@code caseName} right after step a returns (outside
   * any step), e.g. to hold the handler until the proxy has seen the run's create-run call, so that
   * the later ops go in a checkpoint of their own.
   */
  void afterFirstStep(String caseName, Runnable hook) {
    afterFirstStep.put(caseName, hook);
  }

  private void afterA(String caseName) {
    Runnable hook = afterFirstStep.get(caseName);
    if (hook != null) {
      hook.run();
    }
  }

  private String step(String caseName, String step) {
    executions.computeIfAbsent(caseName + "/" + step, k -> new AtomicInteger()).incrementAndGet();
    return step + " of " + caseName;
  }

  @Override
  public void close() throws Exception {
    server.stop();
  }

  private final class Handlers extends HttpServlet {
    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      String caseName = String.valueOf(req.getParameter("case"));
      String answer;
      switch (req.getRequestURI()) {
        case "/sync" -> {
          Step.run("a", String.class, () -> step(caseName, "a"));
          afterA(caseName);
          Step.run("b", String.class, () -> step(caseName, "b"));
          answer = "sync " + caseName;
        }
        case "/switch" -> {
          StepHttp.configure(FunctionOptions.builder().retries(20).build());
          Step.run("a", String.class, () -> step(caseName, "a"));
          afterA(caseName);
          Step.sleep("s", Duration.ofSeconds(1));
          Step.run("b", String.class, () -> step(caseName, "b"));
          answer = "done " + caseName;
        }
        default -> {
          resp.sendError(404);
          return;
        }
      }
      resp.setStatus(200);
      resp.setContentType("text/plain");
      resp.getOutputStream().write(answer.getBytes(StandardCharsets.UTF_8));
    }
  }
}
