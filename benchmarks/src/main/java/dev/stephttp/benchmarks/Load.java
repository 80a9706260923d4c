package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load driver: a fixed number of threads, each with its own keep-alive connection, in one of
 * two modes.
 * <ul>
 *   <li><b>Closed loop</b>: each thread sends one operation, waits for its answer and sends the
 *       next; latency runs from sending to the answer.
 *   <li><b>Fixed rate</b> (open loop, {@code --rate N} operations/s): operation {@code i} is due at
 *       {@code start + i / N} whatever happened before; a free thread takes the next due operation,
 *       waits for its due time and sends it. Latency runs from the <em>due</em> time, so an
 *       operation that waited for a free connection because the server fell behind counts its
 *       wait (no coordinated omission). The connection count bounds the operations in flight.
 * </ul>
 * Latencies and completed operations are counted only for operations that started (closed loop)
 * or were due (fixed rate) inside the measured window, after the warm-up.
 */
final class Load {
  /** One operation (may be several requests, e.g. a whole run); throws on a wrong answer. */
  @FunctionalInterface
  interface Operation {
    void run(RawHttp http, int thread, long seq) throws Exception;
  }

  /**
   * Results of the measured window: completed operations and their latencies, failed ones, the
   * window's length (in fixed-rate mode extended to the last completion of a due operation),
   * every operation that succeeded, warm-up included ({@code total}), and in fixed-rate mode the
   * due operations never sent because the driver gave up waiting for a free connection
   * ({@code unsent}).
   */
  record Result(long operations, long errors, double seconds, Latencies latencies, long total,
      long unsent) {
    double perSecond() {
      return operations / seconds;
    }
  }

  private Load() {}

  /** Fixed rate when {@code --rate} is given (operations/s), closed loop otherwise. */
  static Result run(Args a, String baseUrl, int connections, long warmupMillis,
      long measureMillis, long maxOperations, Operation op, Runnable atStart, Runnable atEnd)
      throws InterruptedException {
    double rate = a.decimal("rate", 0);
    if (rate > 0) {
      return fixedRate(baseUrl, connections, rate, warmupMillis, measureMillis, op, atStart,
          atEnd);
    }
    return closed(baseUrl, connections, warmupMillis, measureMillis, maxOperations, op, atStart,
        atEnd);
  }

  /** "closed loop, N connections" or "fixed rate R/s, at most N in flight". */
  static String describe(Args a, int connections) {
    double rate = a.decimal("rate", 0);
    return rate > 0
        ? "fixed rate " + Summary.fmt(rate) + "/s (open loop, latency from the due time, at most "
            + connections + " in flight)"
        : connections + " keep-alive connections, closed loop";
  }

  private static void sleepUntil(long nanoTime) {
    long left;
    while ((left = nanoTime - System.nanoTime()) > 0) {
      LockSupport.parkNanos(left);
    }
  }

  static Result closed(String baseUrl, int connections, long warmupMillis, long measureMillis,
      long maxOperations, Operation op) throws InterruptedException {
    return closed(baseUrl, connections, warmupMillis, measureMillis, maxOperations, op, () -> { },
        () -> { });
  }

  /** Closed loop, calling {@code atStart} and {@code atEnd} at the measured window's edges. */
  static Result closed(String baseUrl, int connections, long warmupMillis, long measureMillis,
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
      threads.add(start("load-" + t, () -> {
        try (RawHttp http = new RawHttp(baseUrl, 30_000)) {
          while (true) {
            long seq = issued.getAndIncrement();
            long t0 = System.nanoTime();
            if (t0 >= end || seq >= maxOperations) {
              return;
            }
            if (!attempt(http, op, index, seq, errors)) {
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
      }));
    }
    Thread edges = start("load-window", () -> {
      sleepUntil(measureFrom);
      atStart.run();
      sleepUntil(end);
      atEnd.run();
    });
    for (Thread th : threads) {
      th.join();
    }
    edges.join();
    long stoppedAt = Math.min(System.nanoTime(), end);
    double secs = Math.max(1e-9, (stoppedAt - Math.min(measureFrom, stoppedAt)) / 1e9);
    return new Result(done.get(), errors.get(), secs, Latencies.merge(parts), all.get(), 0);
  }

  /**
   * Fixed rate: {@code rate} operations per second over warm-up and window. Operations due in
   * the window but still unsent when the window has been over for as long again (at least 5 s:
   * the server fell far behind) are counted as {@code unsent}, not sent. {@code atEnd} runs
   * once every operation has finished.
   */
  static Result fixedRate(String baseUrl, int connections, double rate, long warmupMillis,
      long measureMillis, Operation op, Runnable atStart, Runnable atEnd)
      throws InterruptedException {
    double period = 1e9 / rate;
    long start = System.nanoTime() + 20_000_000L; // the threads are up before the first is due
    long measureFrom = start + warmupMillis * 1_000_000L;
    long end = measureFrom + measureMillis * 1_000_000L;
    long giveUp = end + Math.max(5_000L, measureMillis) * 1_000_000L;
    AtomicLong done = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicLong all = new AtomicLong();
    AtomicLong unsent = new AtomicLong();
    AtomicLong issued = new AtomicLong();
    AtomicLong lastDone = new AtomicLong(end);
    List<Latencies> parts = new ArrayList<>();
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      Latencies mine = new Latencies();
      parts.add(mine);
      int index = t;
      threads.add(start("load-" + t, () -> {
        try (RawHttp http = new RawHttp(baseUrl, 30_000)) {
          while (true) {
            long seq = issued.getAndIncrement();
            long due = start + (long) (seq * period);
            if (due >= end) {
              return;
            }
            boolean measured = due >= measureFrom;
            sleepUntil(due);
            if (System.nanoTime() > giveUp) {
              if (measured) {
                unsent.incrementAndGet();
              }
              continue;
            }
            if (!attempt(http, op, index, seq, errors)) {
              continue;
            }
            long t1 = System.nanoTime();
            if (measured) {
              mine.add(t1 - due);
              done.incrementAndGet();
              lastDone.accumulateAndGet(t1, Math::max);
            }
            all.incrementAndGet();
          }
        }
      }));
    }
    Thread edges = start("load-window", () -> {
      sleepUntil(measureFrom);
      atStart.run();
    });
    for (Thread th : threads) {
      th.join();
    }
    edges.join();
    atEnd.run();
    double secs = (lastDone.get() - measureFrom) / 1e9;
    return new Result(done.get(), errors.get(), secs, Latencies.merge(parts), all.get(),
        unsent.get());
  }

  /** Runs one operation; on failure counts it, logs the first three and drops the connection. */
  private static boolean attempt(RawHttp http, Operation op, int thread, long seq,
      AtomicLong errors) {
    try {
      op.run(http, thread, seq);
      return true;
    } catch (Exception e) {
      if (errors.incrementAndGet() <= 3) {
        System.err.println("operation failed: " + e);
      }
      http.close();
      return false;
    }
  }

  private static Thread start(String name, Runnable body) {
    Thread th = new Thread(body, name);
    th.setDaemon(true);
    th.start();
    return th;
  }
}
