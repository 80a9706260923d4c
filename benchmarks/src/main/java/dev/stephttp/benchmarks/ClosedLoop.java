package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A closed-loop load: a fixed number of threads, each with its own keep-alive connection,
 * sends one operation, waits for its answer, and sends the next. Bounded by time and by an
 * operation count. Latencies and completed operations are counted only inside the measured
 * window (after the warm-up).
 */
final class ClosedLoop {
  /** One operation (may be several requests, e.g. a whole run); throws on a wrong answer. */
  @FunctionalInterface
  interface Operation {
    void run(RawHttp http, int thread, long seq) throws Exception;
  }

  /** Results of the measured window. */
  record Result(long operations, long errors, double seconds, Latencies latencies, long total) {
    double perSecond() {
      return operations / seconds;
    }
  }

  private ClosedLoop() {}

  private static void sleepUntil(long nanoTime) throws InterruptedException {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      Thread.sleep(Math.max(1, left / 1_000_000L));
    }
  }

  static Result run(String baseUrl, int connections, long warmupMillis, long measureMillis,
      long maxOperations, Operation op) throws InterruptedException {
    return run(baseUrl, connections, warmupMillis, measureMillis, maxOperations, op, () -> { },
        () -> { });
  }

  /** Like the other, calling {@code atStart} and {@code atEnd} at the measured window's edges. */
  static Result run(String baseUrl, int connections, long warmupMillis, long measureMillis,
      long maxOperations, Operation op, Runnable atStart, Runnable atEnd)
      throws InterruptedException {
    long start = System.nanoTime();
    long measureFrom = start + warmupMillis * 1_000_000L;
    long end = measureFrom + measureMillis * 1_000_000L;
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong all = new AtomicLong();
    AtomicLong issued = new AtomicLong();
    List<Latencies> parts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      Latencies mine = new Latencies();
      parts.add(mine);
      int index = t;
      Thread th = new Thread(() -> {
        try (RawHttp http = new RawHttp(baseUrl, 30_000)) {
          while (true) {
            long seq = issued.getAndIncrement();
            long t0 = System.nanoTime();
            if (t0 >= end || seq >= maxOperations) {
              return;
            }
            try {
              op.run(http, index, seq);
            } catch (Exception e) {
              if (errors.incrementAndGet() <= 3) {
                System.err.println("operation failed: " + e);
              }
              http.close();
              continue;
            }
            long t1 = System.nanoTime();
            if (t0 >= measureFrom && t1 <= end) {
              mine.add(t1 - t0);
              done.incrementAndGet();
            }
            all.incrementAndGet();
          }
        }
      }, "load-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    Thread edges = new Thread(() -> {
      try {
        sleepUntil(measureFrom);
        atStart.run();
        sleepUntil(end);
        atEnd.run();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "load-window");
    edges.setDaemon(true);
    edges.start();
    for (Thread th : threads) {
      th.join();
    }
    edges.join();
    long stoppedAt = Math.min(System.nanoTime(), end);
    double secs = Math.max(1e-9, (stoppedAt - Math.min(measureFrom, stoppedAt)) / 1e9);
    return new Result(done.get(), errors.get(), secs, Latencies.merge(parts), all.get());
  }
}
