package dev.stephttp.benchmarks;

import dev.stephttp.Step;
import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * Measurement 2, filter overhead under load: one Jetty with three servlets — {@code /plain}
 * (no filter), {@code /filtered} (the filter, no step) and {@code /steps} (the filter and three
 * {@code Step.run} checkpointing to an orchestrator child process on this machine). A closed-loop
 * driver with a fixed number of keep-alive connections measures each in turn, for several rounds
 * (interleaved, so that drift in the machine's load hits all three alike).
 */
final class FilterLoad {
  static final List<String> PATHS = List.of("/plain", "/filtered", "/steps");
  private static final byte[] BODY = "{\"ok\":true,\"order\":\"o-1\",\"total\":4200}"
      .getBytes(StandardCharsets.UTF_8);

  private FilterLoad() {}

  /** The handler of all three servlets; {@code steps} decides whether it calls steps. */
  static final class Handler extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final boolean steps;
    private final long workMillis;

    Handler(boolean steps, long workMillis) {
      this.steps = steps;
      this.workMillis = workMillis;
    }

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      if (workMillis > 0) {
        try {
          Thread.sleep(workMillis); // the handler's own I/O (a database call, say), CPU-free
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if (steps) {
        String order = Step.run("create-order", String.class, () -> "o-1");
        Integer total = Step.run("price", Integer.class, () -> 4200);
        Step.run("notify", () -> {
          if (order.isEmpty() || total < 0) {
            throw new IllegalStateException();
          }
        });
      }
      resp.setStatus(200);
      resp.setContentType("application/json");
      resp.setContentLength(BODY.length);
      resp.getOutputStream().write(BODY);
    }
  }

  static Server app(String orchestratorUrl, long workMillis) throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    StepHttpConfig config = StepHttpConfig.builder().baseUrl(orchestratorUrl).dev(true).build();
    FilterHolder filter = new FilterHolder(new StepHttpFilter(config));
    context.addFilter(filter, "/filtered", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(filter, "/steps", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(new ServletHolder(new Handler(false, workMillis)), "/plain");
    context.addServlet(new ServletHolder(new Handler(false, workMillis)), "/filtered");
    context.addServlet(new ServletHolder(new Handler(true, workMillis)), "/steps");
    return Loopback.start("app", 200, 8, context);
  }

  static long countRuns(Path db) throws java.sql.SQLException {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db);
        java.sql.ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM runs")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static Summary run(Args a) throws Exception {
    int connections = a.integer("connections", 16);
    int rounds = a.integer("rounds", 3);
    long warmup = a.integer("warmup-ms", 3000);
    long measure = a.integer("measure-ms", 10_000);
    long maxOps = a.integer("max-ops", 5_000_000);
    int workMillis = a.integer("work-ms", 0);
    Path dir = Files.createTempDirectory("stephttp-bench-filter");
    Summary s = new Summary("Filter overhead: " + connections + " keep-alive connections, closed loop,"
        + " " + measure / 1000.0 + " s per servlet per round, handler "
        + (workMillis == 0 ? "does no work" : "waits " + workMillis + " ms (its own I/O)"),
        List.of("req/s", "p50 ms", "p99 ms", "× plain req/s", "p99 / plain p99",
            "runs recorded %", "errors"));
    PATHS.forEach(s::row);
    Path db = dir.resolve("filter.db");
    try (ChildOrchestrator o = ChildOrchestrator.start(Bench.jar(a), db,
        Bench.orchestratorJvm(a), List.of())) {
      Server app = app(o.baseUrl(), workMillis);
      String base = Loopback.url(app);
      try {
        long recorded = 0;
        for (int r = 1; r <= rounds; r++) {
          Map<String, ClosedLoop.Result> results = new java.util.LinkedHashMap<>();
          for (String path : PATHS) {
            ClosedLoop.Result res = ClosedLoop.run(base, connections, warmup, measure, maxOps,
                (http, t, seq) -> {
                  RawHttp.Response resp = http.get(path);
                  if (resp.status() != 200) {
                    throw new IllegalStateException(path + " answered " + resp.status());
                  }
                });
            results.put(path, res);
            if (path.equals("/steps")) {
              // Under overload the checkpoint queue fills and runs are dropped (docs/how-it-works.md):
              // count the runs the orchestrator actually recorded for the requests served.
              long before = recorded;
              dev.stephttp.servlet.StepHttp.awaitCheckpoints(java.time.Duration.ofSeconds(60));
              recorded = countRuns(db);
              s.add(path, "runs recorded %", 100.0 * (recorded - before) / res.total());
            }
            System.err.printf("round %d %-10s %8.0f req/s  p50 %.2f ms  p99 %.2f ms  errors %d%n",
                r, path, res.perSecond(), res.latencies().percentileMillis(0.5),
                res.latencies().percentileMillis(0.99), res.errors());
          }
          ClosedLoop.Result plain = results.get("/plain");
          for (Map.Entry<String, ClosedLoop.Result> e : results.entrySet()) {
            ClosedLoop.Result res = e.getValue();
            String row = e.getKey();
            s.add(row, "req/s", res.perSecond());
            s.add(row, "p50 ms", res.latencies().percentileMillis(0.5));
            s.add(row, "p99 ms", res.latencies().percentileMillis(0.99));
            s.add(row, "× plain req/s", res.perSecond() / plain.perSecond());
            s.add(row, "p99 / plain p99", res.latencies().percentileMillis(0.99)
                / plain.latencies().percentileMillis(0.99));
            s.add(row, "errors", res.errors());
          }
        }
      } finally {
        app.stop();
      }
    } finally {
      Bench.deleteTree(dir);
    }
    return s;
  }
}
