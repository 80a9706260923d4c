package dev.stephttp.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.Step;
import dev.stephttp.servlet.StepHttp;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * Measurement 2, filter overhead under load: one Jetty with four servlets — {@code /plain}
 * (no filter), {@code /filtered} (the filter, no step), {@code /steps} (the filter and three
 * {@code Step.run} checkpointing to an orchestrator child process on this machine) and, when
 * {@code --paths} asks for it, {@code /durable} (the same with {@code durableResponses}: each
 * response waits until its run is acknowledged; only libraries that have the setting) and {@code
 * /steps-eager} (the same as {@code /steps} with no checkpoint linger: each run's first step is
 * sent while the request runs, as before the linger existed). The load
 * driver (closed loop, or a fixed rate with {@code --rate}) measures each in turn, for several
 * rounds (interleaved, so that drift in the machine's load hits all three alike); for
 * {@code /steps} it counts the runs the orchestrator stored against the 200s served. With
 * {@code --interleave-ms}, {@link FilterPairs} instead.
 */
final class FilterLoad {
  static final List<String> PATHS = List.of("/plain", "/filtered", "/steps", "/durable", "/steps-eager");
  /** The paths measured when {@code --paths} is not given. */
  static final List<String> DEFAULT_PATHS = List.of("/plain", "/filtered", "/steps");
  private static final String TEXT = "{\"ok\":true,\"order\":\"o-1\",\"total\":4200}";
  private static final byte[] BODY = TEXT.getBytes(StandardCharsets.UTF_8);

  private FilterLoad() {}

  /**
   * The handler of all the servlets; {@code steps} decides whether it calls steps, {@code writer}
   * whether it writes its body with {@code getWriter()} instead of {@code getOutputStream()}. POST
   * is answered like GET, its body left unread.
   */
  static final class Handler extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private final boolean steps;
    private final boolean writer;
    private final long workMillis;

    Handler(boolean steps, long workMillis) {
      this(steps, false, workMillis);
    }

    Handler(boolean steps, boolean writer, long workMillis) {
      this.steps = steps;
      this.writer = writer;
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
      if (writer) {
        resp.setCharacterEncoding("UTF-8");
        resp.getWriter().write(TEXT);
      } else {
        resp.getOutputStream().write(BODY);
      }
    }

    @Override
    protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
      doGet(req, resp);
    }
  }

  static Server app(String orchestratorUrl, long workMillis, List<String> paths) throws Exception {
    return Loopback.start("app", 200, 8, context(orchestratorUrl, workMillis, paths));
  }

  /**
   * The servlets of {@link #app} and their filters, for any connector; the filters send checkpoints to
   * {@code orchestratorUrl} (contacted only by a request that calls a step).
   */
  static ServletContextHandler context(String orchestratorUrl, long workMillis, List<String> paths) {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    StepHttpConfig config = StepHttpConfig.builder().baseUrl(orchestratorUrl).dev(true).build();
    FilterHolder filter = new FilterHolder(new StepHttpFilter(config));
    context.addFilter(filter, "/filtered", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(filter, "/steps", EnumSet.of(DispatcherType.REQUEST));
    context.addFilter(filter, "/filtered-writer", EnumSet.of(DispatcherType.REQUEST));
    // Each only when asked for, so that a library without the setting can run the rest.
    if (paths.contains("/durable")) {
      StepHttpConfig held = config.toBuilder().durableResponses(true).build();
      context.addFilter(new FilterHolder(new StepHttpFilter(held)), "/durable", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(new ServletHolder(new Handler(true, workMillis)), "/durable");
    }
    if (paths.contains("/steps-eager")) {
      StepHttpConfig eager = config.toBuilder().checkpointLinger(Duration.ZERO).build();
      context.addFilter(new FilterHolder(new StepHttpFilter(eager)), "/steps-eager", EnumSet.of(DispatcherType.REQUEST));
      context.addServlet(new ServletHolder(new Handler(true, workMillis)), "/steps-eager");
    }
    context.addServlet(new ServletHolder(new Handler(false, workMillis)), "/plain");
    context.addServlet(new ServletHolder(new Handler(false, workMillis)), "/filtered");
    context.addServlet(new ServletHolder(new Handler(true, workMillis)), "/steps");
    // The same pair writing with getWriter(), for FilterBenchmark's -p path=/plain-writer,/filtered-writer.
    context.addServlet(new ServletHolder(new Handler(false, true, workMillis)), "/plain-writer");
    context.addServlet(new ServletHolder(new Handler(false, true, workMillis)), "/filtered-writer");
    return context;
  }

  /** Runs the orchestrator has stored, and how many of them are COMPLETED. */
  record Stored(long runs, long completed) {}

  /**
   * Counts through the management API ({@code GET /api/v2/stats/runs}, runs queued in the last
   * 24 hours), which any version of the orchestrator answers whatever its storage looks like.
   */
  static Stored stored(String orchestratorUrl) throws IOException {
    try (RawHttp http = new RawHttp(orchestratorUrl, 30_000)) {
      RawHttp.Response r = http.get("/api/v2/stats/runs");
      if (r.status() != 200) {
        throw new IllegalStateException("stats answered " + r.status() + ": " + r.text());
      }
      JsonNode window = new ObjectMapper().readTree(r.body()).path("data").path("window");
      JsonNode total = window.path("total");
      JsonNode completed = window.path("byStatus").path("COMPLETED");
      if (!total.isIntegralNumber() || !completed.isIntegralNumber()) {
        throw new IllegalStateException("stats without window.total/byStatus: " + r.text());
      }
      return new Stored(total.asLong(), completed.asLong());
    }
  }

  static Summary run(Args a) throws Exception {
    if (a.text("interleave-ms", null) != null) {
      return FilterPairs.run(a); // /plain against /filtered, paired
    }
    int connections = a.integer("connections", 16);
    int rounds = a.integer("rounds", 3);
    long warmup = a.integer("warmup-ms", 3000);
    long measure = a.integer("measure-ms", 10_000);
    long maxOps = a.integer("max-ops", 5_000_000);
    int workMillis = a.integer("work-ms", 0);
    List<String> paths = List.of(a.text("paths", String.join(",", DEFAULT_PATHS)).split(","));
    if (!PATHS.containsAll(paths)) {
      throw new IllegalArgumentException("--paths takes some of " + PATHS + ", not " + paths);
    }
    boolean fixedRate = a.decimal("rate", 0) > 0;
    Path dir = Files.createTempDirectory("stephttp-bench-filter");
    List<String> columns = new ArrayList<>(List.of("req/s", "p50 ms", "p90 ms", "p99 ms",
        "max ms", "× plain req/s", "p99 / plain p99", "runs recorded %", "runs lost",
        "runs incomplete", "errors"));
    if (fixedRate) {
      columns.add("unsent");
    }
    Summary s = new Summary("Filter overhead: " + Load.describe(a, connections) + ", "
        + measure / 1000.0 + " s per servlet per round, handler "
        + (workMillis == 0 ? "does no work" : "waits " + workMillis + " ms (its own I/O)"),
        columns);
    paths.forEach(s::row);
    Path db = dir.resolve("filter.db");
    try (ChildOrchestrator o = ChildOrchestrator.start(Bench.jar(a), db,
        Bench.orchestratorJvm(a), List.of())) {
      Server app = app(o.baseUrl(), workMillis, paths);
      String base = Loopback.url(app);
      try {
        if (a.flag("warm-all-first")) {
          // Every path once before round 1, not counted: otherwise the first path that calls steps
          // pays the JIT compilation of the step path for all of them (p99 ~20× in round 1 here).
          for (String path : paths) {
            Load.run(a, base, connections, warmup, 1, maxOps, (http, t, seq) -> http.get(path), () -> { }, () -> { });
          }
          if (!StepHttp.awaitCheckpoints(Duration.ofSeconds(60))) {
            System.err.println("checkpoint queue not drained after 60 s");
          }
        }
        for (int r = 1; r <= rounds; r++) {
          Map<String, Load.Result> results = new LinkedHashMap<>();
          for (String path : paths) {
            Stored before = path.startsWith("/steps") || path.equals("/durable") ? stored(o.baseUrl()) : null;
            Load.Result res = Load.run(a, base, connections, warmup, measure, maxOps,
                (http, t, seq) -> {
                  RawHttp.Response resp = http.get(path);
                  if (resp.status() != 200) {
                    throw new IllegalStateException(path + " answered " + resp.status());
                  }
                }, () -> { }, () -> { });
            results.put(path, res);
            if (before != null) {
              // Every request answered 200 must become a stored, completed run; count after the
              // queue has drained. Older libraries dropped a busy orchestrator's checkpoints.
              if (!StepHttp.awaitCheckpoints(Duration.ofSeconds(60))) {
                System.err.println("checkpoint queue not drained after 60 s");
              }
              Stored after = stored(o.baseUrl());
              long runs = after.runs() - before.runs();
              s.add(path, "runs recorded %", 100.0 * runs / res.total());
              s.add(path, "runs lost", res.total() - runs);
              s.add(path, "runs incomplete", runs - (after.completed() - before.completed()));
            }
            System.err.printf("round %d %-10s %8.0f req/s  p50 %.2f ms  p99 %.2f ms  max %.1f ms"
                + "  errors %d  unsent %d%n", r, path, res.perSecond(),
                res.latencies().percentileMillis(0.5), res.latencies().percentileMillis(0.99),
                res.latencies().maxMillis(), res.errors(), res.unsent());
          }
          Load.Result plain = results.get("/plain");
          for (Map.Entry<String, Load.Result> e : results.entrySet()) {
            Load.Result res = e.getValue();
            String row = e.getKey();
            Latencies l = res.latencies();
            s.add(row, "req/s", res.perSecond());
            s.add(row, "p50 ms", l.percentileMillis(0.5));
            s.add(row, "p90 ms", l.percentileMillis(0.9));
            s.add(row, "p99 ms", l.percentileMillis(0.99));
            s.add(row, "max ms", l.maxMillis());
            if (plain != null) {
              s.add(row, "× plain req/s", res.perSecond() / plain.perSecond());
              s.add(row, "p99 / plain p99", l.percentileMillis(0.99)
                  / plain.latencies().percentileMillis(0.99));
            }
            s.add(row, "errors", res.errors());
            if (fixedRate) {
              s.add(row, "unsent", res.unsent());
            }
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
