package dev.stephttp.internal;

import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded pool the steps of {@code Step.all} and {@code Step.race} run on (docs/how-it-works.md,
 * parallel steps). At most {@code size} of them run at once across every run of one filter; more
 * wait in order for a thread. Thread-safe; owns its threads, which stop when idle and on {@link
 * #close()}.
 */
public final class StepThreads implements AutoCloseable {
  private final ThreadPoolExecutor pool;

  /**
   * A pool of at most {@code size} threads.
   *
   * @throws IllegalArgumentException when {@code size} is below 1
   */
  public StepThreads(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("parallelStepThreads must be at least 1, was " + size);
    }
    AtomicInteger n = new AtomicInteger();
    this.pool = new ThreadPoolExecutor(size, size, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
      Thread t = new Thread(r, "stephttp-step-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
  }

  Future<?> submit(Runnable task) {
    return pool.submit(task);
  }

  /** Interrupts the steps still running and stops the threads. */
  @Override
  public void close() {
    pool.shutdownNow();
  }
}
