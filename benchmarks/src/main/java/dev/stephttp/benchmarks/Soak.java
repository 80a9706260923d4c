package dev.stephttp.benchmarks;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Sustained mixed load — sync, sleeping, event-waiting and failing-then-recovering runs — against
 * an orchestrator child process and the real filter, sampling heap (after a full GC), threads and
 * open files of both processes. After the warm-up nothing may grow beyond the stated bounds and no
 * flow may fail. {@code java -jar stephttp-benchmarks.jar soak --minutes 10} (or {@code --seconds}).
 */
final class Soak {
  static final String[] KINDS = {"sync", "sleep", "wait", "flaky"};
  /** Bounds of growth from the end of the warm-up to the end of the run, and absolute heap bounds. */
  static final double HEAP_GROWTH_MIB = 32;
  static final double HEAP_MAX_MIB = 256;
  static final double THREAD_GROWTH = 16;
  static final double FD_GROWTH = 32;
  private static final MediaType JSON = MediaType.get("application/json");

  /** One sample of both processes. */
  record Sample(double seconds, double appHeapMiB, double appThreads, double appFds,
      double orchHeapMiB, double orchThreads, double orchFds) {}

  /** What a soak run found. */
  record Result(Summary load, Summary resources, long flows, long errors, List<String> violations) {
    boolean ok() {
      return errors == 0 && violations.isEmpty();
    }

    String markdown() {
      return load.markdown() + resources.markdown() + String.format("%nflows %d, errors %d, violations: %s%n",
          flows, errors, violations.isEmpty() ? "none" : String.join("; ", violations));
    }
  }

  private Soak() {}

  static Result run(Args a) throws Exception {
    long seconds = a.integer("seconds", a.integer("minutes", 10) * 60);
    int workers = a.integer("workers", 8);
    long sampleEvery = a.integer("sample-s", seconds <= 120 ? 5 : 10);
    long warmup = Math.max(10, seconds / 5);
    Path dir = Files.createTempDirectory("stephttp-soak");
    List<String> jvm = new ArrayList<>(Bench.orchestratorJvm(a));
    if (jvm.stream().noneMatch(s -> s.startsWith("-Xmx"))) {
      jvm.add("-Xmx512m");
    }
    try (ChildOrchestrator o = ChildOrchestrator.start(Bench.jar(a), dir.resolve("soak.db"), jvm, List.of());
        SoakApp app = new SoakApp(o.baseUrl())) {
      OkHttpClient http = new OkHttpClient.Builder().followRedirects(false)
          .readTimeout(Duration.ofSeconds(60)).callTimeout(Duration.ofSeconds(90)).build();
      Driver driver = new Driver(http, app.baseUrl(), o.baseUrl());
      List<Sample> samples = new CopyOnWriteArrayList<>();
      long t0 = System.nanoTime();
      long end = t0 + seconds * 1_000_000_000L;
      List<Thread> threads = new ArrayList<>();
      for (int w = 0; w < workers; w++) {
        int worker = w;
        Thread t = new Thread(() -> driver.loop(worker, end), "soak-" + w);
        t.start();
        threads.add(t);
      }
      while (System.nanoTime() < end) {
        long next = System.nanoTime() + sampleEvery * 1_000_000_000L;
        samples.add(sample(o, (System.nanoTime() - t0) / 1e9));
        System.err.printf("soak: %.0f s, %d flows, %d errors%n", (System.nanoTime() - t0) / 1e9,
            driver.flows.get(), driver.errors.get());
        while (System.nanoTime() < Math.min(next, end)) {
          Thread.sleep(Math.max(1, Math.min(next, end) - System.nanoTime()) / 1_000_000L + 1);
        }
      }
      for (Thread t : threads) {
        t.join(120_000);
      }
      samples.add(sample(o, (System.nanoTime() - t0) / 1e9));
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
      return result(a, seconds, workers, warmup, driver, samples, app.pendingFlaky());
    } finally {
      Bench.deleteTree(dir);
    }
  }

  private static Result result(Args a, long seconds, int workers, long warmup, Driver d, List<Sample> samples,
      int pendingFlaky) {
    Summary load = new Summary("Soak: " + workers + " workers, " + seconds + " s of mixed runs (flow = the user's"
        + " request, plus following the 303 and sending the event where there is one)",
        List.of("flows", "errors", "p50 ms", "p99 ms", "max ms"));
    for (String kind : KINDS) {
      load.row(kind);
      Latencies l = d.latencies.get(kind);
      load.add(kind, "flows", l == null ? 0 : l.count());
      load.add(kind, "errors", d.errorsByKind.getOrDefault(kind, new AtomicLong()).get());
      if (l != null && l.count() > 0) {
        load.add(kind, "p50 ms", l.percentileMillis(0.50));
        load.add(kind, "p99 ms", l.percentileMillis(0.99));
        load.add(kind, "max ms", l.maxMillis());
      }
    }
    Summary res = new Summary("Soak resources: after the warm-up (" + warmup + " s) and at the end (medians of"
        + " three samples); heap after a full GC; the app's JVM also runs the load driver",
        List.of("after warm-up", "end", "max", "growth", "allowed growth"));
    List<String> violations = new ArrayList<>();
    List<Sample> steady = samples.stream().filter(s -> s.seconds() >= warmup).toList();
    if (steady.size() < 2) {
      violations.add("too few samples after the warm-up (" + steady.size() + "); run longer");
    } else {
      check(res, violations, "app heap MiB", steady, Sample::appHeapMiB, HEAP_GROWTH_MIB, HEAP_MAX_MIB);
      check(res, violations, "app threads", steady, Sample::appThreads, THREAD_GROWTH, Double.NaN);
      check(res, violations, "app open files", steady, Sample::appFds, FD_GROWTH, Double.NaN);
      check(res, violations, "orchestrator heap MiB", steady, Sample::orchHeapMiB, HEAP_GROWTH_MIB, HEAP_MAX_MIB);
      check(res, violations, "orchestrator threads", steady, Sample::orchThreads, THREAD_GROWTH, Double.NaN);
      check(res, violations, "orchestrator open files", steady, Sample::orchFds, FD_GROWTH, Double.NaN);
    }
    if (pendingFlaky != 0) {
      violations.add(pendingFlaky + " flaky runs never completed");
    }
    violations.addAll(d.firstErrors);
    return new Result(load, res, d.flows.get(), d.errors.get(), violations);
  }

  private static void check(Summary s, List<String> violations, String metric, List<Sample> steady,
      ToDoubleFunction<Sample> f, double growthBound, double maxBound) {
    double start = median(steady.subList(0, Math.min(3, steady.size())), f);
    double end = median(steady.subList(Math.max(0, steady.size() - 3), steady.size()), f);
    double max = steady.stream().mapToDouble(f).max().orElse(Double.NaN);
    s.row(metric);
    s.add(metric, "after warm-up", start);
    s.add(metric, "end", end);
    s.add(metric, "max", max);
    s.add(metric, "growth", end - start);
    s.add(metric, "allowed growth", growthBound);
    if (end - start > growthBound) {
      violations.add(String.format("%s grew from %.1f to %.1f (allowed %.0f)", metric, start, end, growthBound));
    }
    if (!Double.isNaN(maxBound) && max > maxBound) {
      violations.add(String.format("%s reached %.1f (bound %.0f)", metric, max, maxBound));
    }
  }

  private static double median(List<Sample> samples, ToDoubleFunction<Sample> f) {
    double[] v = samples.stream().mapToDouble(f).filter(d -> !Double.isNaN(d)).sorted().toArray();
    return v.length == 0 ? Double.NaN : v[v.length / 2];
  }

  private static Sample sample(ChildOrchestrator o, double seconds) {
    System.gc();
    double appHeap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed() / 1048576.0;
    double appThreads = ManagementFactory.getThreadMXBean().getThreadCount();
    long pid = ProcessHandle.current().pid();
    return new Sample(seconds, appHeap, appThreads, openFiles(pid), o.heapUsedAfterGcMiB(), threads(o.pid()),
        openFiles(o.pid()));
  }

  private static double openFiles(long pid) {
    try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return fds.count();
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  private static double threads(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream()
          .filter(l -> l.startsWith("Threads:")).mapToDouble(l -> Double.parseDouble(l.substring(8).trim()))
          .findFirst().orElse(Double.NaN);
    } catch (IOException | RuntimeException e) {
      return Double.NaN;
    }
  }

  /** The load: each worker runs the four kinds of flow in turn until the deadline. */
  private static final class Driver {
    final OkHttpClient http;
    final String app;
    final String orchestrator;
    final AtomicLong flows = new AtomicLong();
    final AtomicLong errors = new AtomicLong();
    final Map<String, AtomicLong> errorsByKind = new ConcurrentHashMap<>();
    final Map<String, Latencies> latencies = new ConcurrentHashMap<>();
    final List<String> firstErrors = new CopyOnWriteArrayList<>();
    final AtomicLong keys = new AtomicLong();

    Driver(OkHttpClient http, String app, String orchestrator) {
      this.http = http;
      this.app = app;
      this.orchestrator = orchestrator;
    }

    void loop(int worker, long end) {
      for (long seq = worker; System.nanoTime() < end; seq++) {
        String kind = KINDS[(int) (seq % KINDS.length)];
        long t = System.nanoTime();
        try {
          flow(kind);
          Latencies l = latencies.computeIfAbsent(kind + "#" + worker, k -> new Latencies());
          l.add(System.nanoTime() - t);
          flows.incrementAndGet();
        } catch (Exception e) {
          errors.incrementAndGet();
          errorsByKind.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
          if (firstErrors.size() < 5) {
            firstErrors.add(kind + ": " + e.getMessage());
          }
        }
      }
      // merge this worker's latencies into the per-kind ones once it stops
      for (String kind : KINDS) {
        Latencies l = latencies.remove(kind + "#" + worker);
        if (l != null) {
          synchronized (latencies) {
            Latencies all = latencies.get(kind);
            latencies.put(kind, all == null ? l : Latencies.merge(List.of(all, l)));
          }
        }
      }
    }

    private void flow(String kind) throws IOException {
      String k = "k" + keys.incrementAndGet();
      switch (kind) {
        case "sync" -> expect(get(app + "/sync"), 200, "sync abc");
        case "sleep" -> expect(get(follow(get(app + "/sleep"))), 200, "slept ab");
        case "wait" -> {
          String output = follow(get(app + "/wait?k=" + k));
          String event = "{\"name\":\"" + SoakApp.EVENT + "\",\"data\":{\"k\":\"" + k + "\",\"by\":\"soak\"}}";
          try (Response r = http.newCall(new Request.Builder().url(orchestrator + "/e/soak-key")
              .post(RequestBody.create(event, JSON)).build()).execute()) {
            if (r.code() != 200) {
              throw new IOException("event answered " + r.code());
            }
          }
          expect(get(output), 200, "approved soak");
        }
        case "flaky" -> expect(get(follow(get(app + "/flaky?k=" + k))), 200, "recovered");
        default -> throw new IllegalArgumentException(kind);
      }
    }

    private Answer get(String url) throws IOException {
      try (Response r = http.newCall(new Request.Builder().url(url).build()).execute()) {
        return new Answer(r.code(), r.header("Location"), r.body().string(), url);
      }
    }

    private static String follow(Answer a) throws IOException {
      if (a.status() != 303 || a.location() == null) {
        throw new IOException(a.url() + " answered " + a.status() + " instead of 303: " + a.body());
      }
      return a.location();
    }

    private static void expect(Answer a, int status, String body) throws IOException {
      if (a.status() != status || !a.body().equals(body)) {
        throw new IOException(a.url() + " answered " + a.status() + " " + a.body() + "; expected " + status
            + " " + body);
      }
    }
  }

  private record Answer(int status, String location, String body, String url) {}
}
