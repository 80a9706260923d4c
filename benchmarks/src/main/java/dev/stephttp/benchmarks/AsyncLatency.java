package dev.stephttp.benchmarks;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measurement 4, latency of going async, against an orchestrator child process:
 * <ol>
 *   <li>sleep: runs sleeping until given instants (spread over a window); latency = re-entry
 *       arrival at the app minus the due instant (same machine clock);
 *   <li>output: a client blocks on {@code GET …/output?token=}; latency = from sending the
 *       RunComplete checkpoint to the output client holding the whole body;
 *   <li>event: with 10,000 and 100,000 other waits pending on the same event name, latency =
 *       from sending {@code POST /e/{key}} to the re-entry of the matching run arriving.
 * </ol>
 */
final class AsyncLatency {
  static final String EVENT = "bench/order.paid";

  private AsyncLatency() {}

  static List<Summary> run(Args a) throws Exception {
    int rounds = a.integer("rounds", 3);
    Summary s = new Summary("Async latencies (ms)",
        List.of("p50", "p99", "max", "samples", "misses"));
    Path dir = Files.createTempDirectory("stephttp-bench-async");
    try (ReentryApp app = new ReentryApp()) {
      for (int r = 1; r <= rounds; r++) {
        try (ChildOrchestrator o = ChildOrchestrator.start(Bench.jar(a), dir.resolve("a" + r + ".db"),
            Bench.orchestratorJvm(a), List.of())) {
          sleep(a, o, app, s);
          output(a, o, s);
          events(a, o, app, s);
        }
      }
    } finally {
      Bench.deleteTree(dir);
    }
    return List.of(s);
  }

  /** (a) sleep due → re-entry arrives. */
  static void sleep(Args a, ChildOrchestrator o, ReentryApp app, Summary s) throws Exception {
    warmUpReentries(a, o, app);
    int n = a.integer("sleep-runs", 2000);
    long lead = a.integer("sleep-lead-ms", 4000);
    long spread = a.integer("sleep-spread-ms", 10_000);
    long base = System.currentTimeMillis() + lead;
    String[] ids = new String[n];
    long[] due = new long[n];
    AtomicLong late = new AtomicLong();
    boolean[] valid = new boolean[n];
    long failed = Parallel.forEach(o.baseUrl(), 16, n, lead, (http, i) -> {
      ids[i] = Bodies.runId();
      due[i] = base + spread * i / n;
      String op = Bodies.sleepUntil("nap", Instant.ofEpochMilli(due[i]).toString());
      OrchestratorLoad.expect200(http.post("/v1/checkpoint",
          Bodies.create(ids[i], app.baseUrl(), "/sleep", Bodies.stepRun("a", "1"), op)));
      if (System.currentTimeMillis() > due[i]) {
        late.incrementAndGet(); // created after its due time: not a valid sample
      } else {
        valid[i] = true;
      }
    });
    long lastDue = base + spread;
    Parallel.await(lastDue - System.currentTimeMillis() + 30_000,
        () -> countArrived(app, ids) >= n);
    Latencies lat = new Latencies();
    int misses = (int) (failed + late.get());
    for (int i = 0; i < n; i++) {
      ReentryApp.Arrival arr = ids[i] == null ? null : app.arrival(ids[i]);
      if (arr == null) {
        misses++;
      } else if (valid[i]) {
        lat.add(Math.max(0, arr.epochMicros() * 1000 - due[i] * 1_000_000L));
      }
    }
    record(s, "(a) sleep due → re-entry at app (" + n + " runs over " + spread / 1000 + " s)",
        lat, misses);
  }

  /**
   * The first re-entries of a fresh orchestrator load and compile its HTTP client and open
   * connections (a few hundred ms, once per process): send some before measuring, so that the
   * figures describe the steady state. The cold start shows in the scale benchmark instead.
   */
  static void warmUpReentries(Args a, ChildOrchestrator o, ReentryApp app) throws Exception {
    int n = a.integer("sleep-warmup-runs", 200);
    String[] ids = new String[n];
    String due = Instant.ofEpochMilli(System.currentTimeMillis() + 500).toString();
    Parallel.forEach(o.baseUrl(), 16, n, 60_000, (http, i) -> {
      ids[i] = Bodies.runId();
      OrchestratorLoad.expect200(http.post("/v1/checkpoint", Bodies.create(ids[i],
          app.baseUrl(), "/warmup", Bodies.stepRun("a", "1"), Bodies.sleepUntil("nap", due))));
    });
    Parallel.await(30_000, () -> countArrived(app, ids) >= n);
  }

  private static int countArrived(ReentryApp app, String[] ids) {
    int c = 0;
    for (String id : ids) {
      if (id != null && app.arrival(id) != null) {
        c++;
      }
    }
    return c;
  }

  /** (b) run completion → blocked output client receives the body. */
  static void output(Args a, ChildOrchestrator o, Summary s) throws Exception {
    int n = a.integer("output-runs", 400);
    int concurrency = a.integer("output-concurrency", 8);
    // The output request must be parked before the RunComplete is sent, or the sample measures
    // how late the request itself was served: 20 ms was not always enough on a busy 2-core
    // machine (BENCHMARKS.md, issue 10: p99 35 - 140 ms with 20, 13 - 14 ms with 100).
    long parkMillis = a.integer("output-park-ms", 100);
    List<Latencies> parts = new ArrayList<>();
    ExecutorService readers = Executors.newFixedThreadPool(concurrency);
    List<RawHttp> outConns = new ArrayList<>();
    for (int i = 0; i < concurrency; i++) {
      parts.add(new Latencies());
      outConns.add(new RawHttp(o.baseUrl(), 60_000));
    }
    AtomicLong threadIds = new AtomicLong();
    ThreadLocal<Integer> slot = ThreadLocal.withInitial(() -> (int) threadIds.getAndIncrement());
    long failed;
    try {
      failed = Parallel.forEach(o.baseUrl(), concurrency, n, 300_000, (http, i) -> {
        int me = slot.get();
        String id = Bodies.runId();
        RawHttp.Response created = http.post("/v1/checkpoint",
            Bodies.create(id, "http://127.0.0.1:9", "/output", Bodies.stepRun("a", "1")));
        OrchestratorLoad.expect200(created);
        String path = "/v1/http/runs/" + id + "/output?token=" + Bodies.token(created.text());
        RawHttp out = outConns.get(me);
        Future<Long> received = readers.submit(() -> {
          RawHttp.Response r = out.get(path);
          long t = System.nanoTime();
          if (r.status() != 200 || !r.text().contains("ok")) {
            throw new IllegalStateException("output answered " + r.status() + ": " + r.text());
          }
          return t;
        });
        Thread.sleep(parkMillis); // let the output request reach the server and park
        if (received.isDone()) {
          throw new IllegalStateException("output answered before completion: " + received.get());
        }
        long t0 = System.nanoTime();
        OrchestratorLoad.expect200(http.post("/v1/checkpoint/" + id + "/steps",
            Bodies.steps(id, Bodies.COMPLETE)));
        long t1 = received.get(30, TimeUnit.SECONDS);
        parts.get(me).add(t1 - t0);
      });
    } finally {
      readers.shutdownNow();
      outConns.forEach(RawHttp::close);
    }
    record(s, "(b) RunComplete sent → blocked output client has the body (" + concurrency
        + " concurrent)", Latencies.merge(parts), (int) failed);
  }

  /** (c) POST /e/{key} → re-entry, with P other waits pending on the same event name. */
  static void events(Args a, ChildOrchestrator o, ReentryApp app, Summary s) throws Exception {
    int samples = a.integer("event-samples", 200);
    String[] levels = a.text("event-pending", "10000,100000").split(",");
    int created = 0;
    for (String level : levels) {
      int pending = Integer.parseInt(level.trim().replace("_", ""));
      int from = created;
      long t0 = System.nanoTime();
      long failed = Parallel.forEach(o.baseUrl(), 32, pending - from, 600_000, (http, i) -> {
        String id = Bodies.runId();
        String wait = Bodies.waitFor("paid", EVENT, "2h",
            "async.data.orderId == \"bg-" + (from + i) + "\"");
        OrchestratorLoad.expect200(http.post("/v1/checkpoint",
            Bodies.create(id, app.baseUrl(), "/event", Bodies.stepRun("a", "1"), wait)));
      });
      created = pending;
      System.err.printf("event: %d background waits pending (created %d in %.1f s, %d failed)%n",
          pending, pending - from, (System.nanoTime() - t0) / 1e9, failed);
      Latencies lat = new Latencies();
      int misses = 0;
      try (RawHttp http = new RawHttp(o.baseUrl(), 60_000)) {
        for (int k = 0; k < samples; k++) {
          String id = Bodies.runId();
          String key = "t-" + level + "-" + k + "-" + id;
          String wait = Bodies.waitFor("paid", EVENT, "2h", "async.data.orderId == \"" + key + "\"");
          OrchestratorLoad.expect200(http.post("/v1/checkpoint",
              Bodies.create(id, app.baseUrl(), "/event", Bodies.stepRun("a", "1"), wait)));
          long start = System.nanoTime();
          RawHttp.Response r = http.post("/e/bench-key",
              "{\"name\":\"" + EVENT + "\",\"data\":{\"orderId\":\"" + key + "\"}}");
          OrchestratorLoad.expect200(r);
          if (!Parallel.await(10_000, () -> app.arrival(id) != null)) {
            if (++misses >= 5) {
              System.err.println("event: 5 re-entries missing; giving up on this level");
              break;
            }
            continue;
          }
          lat.add(app.arrival(id).nanoTime() - start);
        }
      }
      record(s, "(c) POST /e → re-entry, " + String.format("%,d", pending)
          + " other waits on the event", lat, misses);
    }
  }

  private static void record(Summary s, String row, Latencies lat, int misses) {
    s.add(row, "p50", lat.percentileMillis(0.5));
    s.add(row, "p99", lat.percentileMillis(0.99));
    s.add(row, "max", lat.maxMillis());
    s.add(row, "samples", lat.count());
    s.add(row, "misses", misses);
    System.err.printf("%-75s p50 %.2f ms  p99 %.2f ms  max %.2f ms  (%d samples, %d misses)%n",
        row, lat.percentileMillis(0.5), lat.percentileMillis(0.99), lat.maxMillis(), lat.count(),
        misses);
  }
}
