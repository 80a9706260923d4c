package dev.stephttp.benchmarks;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Runs {@code n} indexed tasks over a fixed number of keep-alive connections (bounded by time). */
final class Parallel {
  @FunctionalInterface
  interface Task {
    void run(RawHttp http, int index) throws Exception;
  }

  private Parallel() {}

  /** Returns the number of failed tasks; stops issuing new tasks after {@code timeoutMillis}. */
  static long forEach(String baseUrl, int connections, int n, long timeoutMillis, Task task)
      throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicLong failed = new AtomicLong();
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < connections; t++) {
      Thread th = new Thread(() -> {
        try (RawHttp http = new RawHttp(baseUrl, 60_000)) {
          for (int i = next.getAndIncrement(); i < n; i = next.getAndIncrement()) {
            if (System.nanoTime() > deadline) {
              failed.incrementAndGet();
              continue;
            }
            try {
              task.run(http, i);
            } catch (Exception e) {
              if (failed.incrementAndGet() <= 3) {
                System.err.println("task " + i + " failed: " + e);
              }
              http.close();
            }
          }
        }
      }, "parallel-" + t);
      th.setDaemon(true);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    return failed.get();
  }

  /** Polls {@code condition} every 5 ms until true or the timeout passes; returns the outcome. */
  static boolean await(long timeoutMillis, java.util.function.BooleanSupplier condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(5);
    }
    return true;
  }
}
