package dev.stephttp.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Measurement 3, orchestrator throughput: many concurrent clients, each repeating a whole
 * three-step run against the orchestrator process (durable SQLite store, synchronous=FULL):
 * <ul>
 *   <li>{@code one-call} — what the Java client sends for a handler that ends within the
 *       checkpoint linger (20 ms by default): one create-run carrying the three steps and
 *       RunComplete;
 *   <li>{@code pipelined} — what it sends for a longer handler, or with no linger: create-run
 *       carrying the first step, then one {@code /steps} call with the other two steps and
 *       RunComplete (the checkpoint pipeline batches everything queued behind the create-run);
 *   <li>{@code unbatched} — the worst case: create-run with step 1, then one {@code /steps}
 *       call per op (steps 2, 3 and RunComplete): four durable writes per run.
 * </ul>
 * Each is measured with group commit on and off (a fresh orchestrator and database each time).
 * "× HTTP ceiling" compares a mode's request rate with the ceiling row's (a servlet that reads
 * the body and answers, no store): the share of what HTTP alone serves for the same calls.
 */
final class OrchestratorLoad {
  static final List<String> MODES = List.of("one-call", "pipelined", "unbatched");
  private static final String DATA = "{\"order\":\"o-1\",\"total\":4200}";

  private OrchestratorLoad() {}

  static void oneRun(RawHttp http, String mode) throws Exception {
    String id = Bodies.runId();
    String a = Bodies.stepRun("a", DATA);
    String b = Bodies.stepRun("b", DATA);
    String c = Bodies.stepRun("c", DATA);
    if (mode.equals("one-call")) {
      expect200(http.post("/v1/checkpoint", Bodies.create(id, "http://127.0.0.1:9", "/load", a, b, c,
          Bodies.COMPLETE)));
      return;
    }
    boolean unbatched = mode.equals("unbatched");
    expect200(http.post("/v1/checkpoint", Bodies.create(id, "http://127.0.0.1:9", "/load", a)));
    String stepsPath = "/v1/checkpoint/" + id + "/steps";
    if (unbatched) {
      expect200(http.post(stepsPath, Bodies.steps(id, b)));
      expect200(http.post(stepsPath, Bodies.steps(id, c)));
      expect200(http.post(stepsPath, Bodies.steps(id, Bodies.COMPLETE)));
    } else {
      expect200(http.post(stepsPath, Bodies.steps(id, b, c, Bodies.COMPLETE)));
    }
  }

  static void expect200(RawHttp.Response r) {
    if (r.status() != 200) {
      throw new IllegalStateException("answered " + r.status() + ": " + r.text());
    }
  }

  static Summary run(Args a) throws Exception {
    int connections = a.integer("connections", 64);
    int rounds = a.integer("rounds", 3);
    // 30 s: with 3 s the orchestrator's JIT compiler still took 27% of its CPU in the measured
    // window on two cores (10 s warm-up), 10% after 20 s, 1% after 30 s (BENCHMARKS.md, issue 10)
    long warmup = a.integer("warmup-ms", 30_000);
    long measure = a.integer("measure-ms", 10_000);
    long maxOps = a.integer("max-ops", 2_000_000);
    List<String> modes = List.of(a.text("modes", "one-call,pipelined,unbatched").split(","));
    if (!MODES.containsAll(modes)) {
      throw new IllegalArgumentException("--modes takes some of " + MODES + ", not " + modes);
    }
    boolean withoutGroupCommit = !a.flag("skip-no-group-commit");
    boolean fixedRate = a.decimal("rate", 0) > 0;
    List<String> columns = new ArrayList<>(List.of("runs/s", "× HTTP ceiling", "HTTP req/s",
        "run p50 ms", "run p99 ms", "orch. CPU µs/run", "orch. JIT % of CPU", "driver CPU µs/run", "errors"));
    if (fixedRate) {
      columns.add("unsent");
    }
    Summary s = new Summary("Orchestrator throughput: " + Load.describe(a, connections) + ","
        + " three-step runs, SQLite WAL synchronous=FULL, " + measure / 1000.0 + " s per row per"
        + " round", columns);
    for (int r = 1; r <= rounds; r++) {
      double ceiling = a.flag("skip-limits") ? Double.NaN : Limits.measure(a, s, r, warmup);
      for (String mode : modes) {
        int requestsPerRun = switch (mode) {
          case "one-call" -> 1;
          case "pipelined" -> 2;
          default -> 4;
        };
        List<Boolean> groupCommit = withoutGroupCommit ? List.of(true, false) : List.of(true);
        for (boolean gc : groupCommit) {
          Path dir = Files.createTempDirectory("stephttp-bench-orch");
          List<String> extra = new ArrayList<>();
          if (!gc) {
            extra.add("--no-group-commit");
          }
          try (ChildOrchestrator o = ChildOrchestrator.start(Bench.jar(a), dir.resolve("o.db"),
              Bench.orchestratorJvm(a), extra)) {
            double[] cpu = new double[6];
            Load.Result res = Load.run(a, o.baseUrl(), connections, warmup, measure, maxOps,
                (http, t, seq) -> oneRun(http, mode), () -> {
                  cpu[0] = o.cpuSeconds();
                  cpu[1] = Bench.ownCpuSeconds();
                  cpu[4] = o.jitCpuSeconds();
                }, () -> {
                  cpu[2] = o.cpuSeconds();
                  cpu[3] = Bench.ownCpuSeconds();
                  cpu[5] = o.jitCpuSeconds();
                });
            // CPU inside the measured window only; the JIT compiler's part of it is reported
            // (on two cores it is still compiling well after a short warm-up)
            double orchCpu = (cpu[2] - cpu[0]) / res.operations() * 1e6;
            double jitShare = (cpu[5] - cpu[4]) / (cpu[2] - cpu[0]) * 100;
            double driverCpu = (cpu[3] - cpu[1]) / res.operations() * 1e6;
            String row = mode + " (" + requestsPerRun + " req/run), group commit "
                + (gc ? "on" : "off");
            s.add(row, "runs/s", res.perSecond());
            if (!Double.isNaN(ceiling)) {
              // the share of what HTTP alone serves for the same number of requests
              s.add(row, "× HTTP ceiling", res.perSecond() * requestsPerRun / ceiling);
            }
            s.add(row, "HTTP req/s", res.perSecond() * requestsPerRun);
            s.add(row, "run p50 ms", res.latencies().percentileMillis(0.5));
            s.add(row, "run p99 ms", res.latencies().percentileMillis(0.99));
            s.add(row, "orch. CPU µs/run", orchCpu);
            if (!Double.isNaN(jitShare)) {
              s.add(row, "orch. JIT % of CPU", jitShare);
            }
            s.add(row, "driver CPU µs/run", driverCpu);
            s.add(row, "errors", res.errors());
            if (fixedRate) {
              s.add(row, "unsent", res.unsent());
            }
            System.err.printf("round %d %-45s %7.0f runs/s  p50 %.1f ms  p99 %.1f ms  orchestrator"
                + " %.0f µs CPU/run (JIT %.0f%%), driver %.0f µs CPU/run, errors %d%n",
                r, row, res.perSecond(), res.latencies().percentileMillis(0.5),
                res.latencies().percentileMillis(0.99), orchCpu, jitShare, driverCpu, res.errors());
          } finally {
            Bench.deleteTree(dir);
          }
        }
      }
    }
    return s;
  }
}
