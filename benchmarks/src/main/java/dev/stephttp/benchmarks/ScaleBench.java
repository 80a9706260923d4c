package dev.stephttp.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Measurement 5, scale: N runs sleeping until one instant D. Reports the orchestrator's heap
 * after a full GC with the N sleeps pending; then kills it (SIGKILL), waits until D has passed,
 * restarts it on the same database and reports the time to be ready (process start to
 * listening) and the time from ready until every run has been re-entered (all N timers overdue
 * at start).
 */
final class ScaleBench {
  private ScaleBench() {}

  static Summary run(Args a) throws Exception {
    int n = a.integer("runs", 100_000);
    int rounds = a.integer("rounds", 1);
    int connections = a.integer("connections", 32);
    Summary s = new Summary("Scale: " + String.format("%,d", n) + " sleeping runs",
        List.of("create runs/s", "heap MiB (after GC)", "heap MiB baseline", "restart ready s",
            "fire all s", "fired runs/s", "fired"));
    try (ReentryApp app = new ReentryApp()) {
      for (int r = 1; r <= rounds; r++) {
        Path dir = Files.createTempDirectory("stephttp-bench-scale");
        Path db = dir.resolve("scale.db");
        app.clear();
        String row = String.format("%,d sleeps", n);
        try {
          ChildOrchestrator first = ChildOrchestrator.start(Bench.jar(a), db,
              Bench.orchestratorJvm(a), List.of());
          double baseline = first.heapUsedAfterGcMiB();
          // due --due-ms after creating starts (a JVM start and jcmd take seconds on a busy machine)
          long dueAt = System.currentTimeMillis() + a.integer("due-ms", 20_000 + n);
          String due = Instant.ofEpochMilli(dueAt).toString();
          long t0 = System.nanoTime();
          long failed = Parallel.forEach(first.baseUrl(), connections, n,
              Math.max(1000, dueAt - System.currentTimeMillis() - 1000), (http, i) -> {
                String id = Bodies.runId();
                OrchestratorLoad.expect200(http.post("/v1/checkpoint", Bodies.create(id,
                    app.baseUrl(), "/scale", Bodies.stepRun("a", "1"),
                    Bodies.sleepUntil("nap", due))));
              });
          double createSecs = (System.nanoTime() - t0) / 1e9;
          double heap = first.heapUsedAfterGcMiB();
          first.kill();
          System.err.printf("scale: created %d sleeping runs in %.1f s (%d failed); heap %.1f MiB"
              + " (baseline %.1f MiB); killed%n", n - failed, createSecs, failed, heap, baseline);
          if (app.count() > 0) {
            System.err.println("scale: WARNING: timers fired before the restart; raise --due-ms");
          }
          long wait = dueAt - System.currentTimeMillis();
          if (wait > 0) {
            Thread.sleep(wait + 100);
          }
          long expected = n - failed;
          try (ChildOrchestrator second = ChildOrchestrator.start(Bench.jar(a), db,
              Bench.orchestratorJvm(a), List.of())) {
            long ready = System.nanoTime();
            boolean all = Parallel.await(a.integer("fire-timeout-ms", 600_000),
                () -> app.distinctRuns() >= expected);
            double fireSecs = (System.nanoTime() - ready) / 1e9;
            s.add(row, "create runs/s", (n - failed) / createSecs);
            s.add(row, "heap MiB (after GC)", heap);
            s.add(row, "heap MiB baseline", baseline);
            s.add(row, "restart ready s", second.readyNanos() / 1e9);
            s.add(row, "fire all s", fireSecs);
            s.add(row, "fired runs/s", app.distinctRuns() / fireSecs);
            s.add(row, "fired", app.distinctRuns());
            System.err.printf("scale: restart ready in %.2f s; %s %d re-entries in %.1f s%n",
                second.readyNanos() / 1e9, all ? "all" : "only", app.distinctRuns(), fireSecs);
          }
        } finally {
          Bench.deleteTree(dir);
        }
      }
    }
    return s;
  }
}
