package dev.stephttp.internal;

import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.GeneratorOpcode;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends sync-phase ops to the orchestrator in the background (docs/how-it-works.md): the first batch of a
 * run creates it, later ops of the same run queue behind it and go out together, at most one call
 * in flight per run. The handler never waits, except at the async switch ({@link
 * RunCheckpoints#durable()}).
 *
 * <p>The number of queued ops is bounded; when the bound is reached the handler's emit waits
 * briefly, then the run's checkpoints are dropped with a warning (the user's response is never
 * held hostage by the orchestrator). Thread-safe; owns its sender threads.
 */
public final class CheckpointPipeline implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckpointPipeline.class);
  private static final Duration FULL_QUEUE_WAIT = Duration.ofMillis(200);

  private final OrchestratorClient client;
  private final ExecutorService senders;
  private final int capacity;
  private final Object lock = new Object();
  private int queued;

  /** Creates a pipeline sending through {@code client}, sized by its settings. */
  public CheckpointPipeline(OrchestratorClient client) {
    this.client = client;
    ClientSettings s = client.settings();
    this.capacity = s.checkpointQueueCapacity();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory threads = r -> {
      Thread t = new Thread(r, "stephttp-checkpoint-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
    this.senders = new ThreadPoolExecutor(s.checkpointThreads(), s.checkpointThreads(), 30, TimeUnit.SECONDS,
        new LinkedBlockingQueue<>(), threads);
    ((ThreadPoolExecutor) senders).allowCoreThreadTimeOut(true);
  }

  public OrchestratorClient client() {
    return client;
  }

  /**
   * Opens the checkpoint stream of one run; {@code creator} builds the create-run request around
   * the first batch of ops.
   */
  public RunCheckpoints open(String runId, Function<List<GeneratorOpcode>, CreateRunRequest> creator) {
    return new RunCheckpoints(this, runId, creator);
  }

  /** Waits until every queued op has been sent or dropped; false if the timeout passed first. */
  public boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (lock) {
      while (queued > 0) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, left);
      }
      return true;
    }
  }

  /** Ops waiting to be acknowledged, across runs. */
  public int queued() {
    synchronized (lock) {
      return queued;
    }
  }

  boolean reserve(int n) {
    long deadline = System.nanoTime() + FULL_QUEUE_WAIT.toNanos();
    synchronized (lock) {
      while (queued + n > capacity) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      queued += n;
      return true;
    }
  }

  void release(int n) {
    synchronized (lock) {
      queued -= n;
      lock.notifyAll();
    }
  }

  void submit(Runnable drain) {
    senders.execute(drain);
  }

  /** Runs {@code drain} on a sender thread after {@code delay} (no thread waits in between). */
  void submitLater(Runnable drain, Duration delay) {
    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, senders).execute(drain);
  }

  /** Stops the sender threads after the queued work; call {@link #awaitIdle} first to drain. */
  @Override
  public void close() {
    senders.shutdown();
    try {
      if (!senders.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("checkpoint senders did not stop in time; {} ops were still queued", queued());
        senders.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      senders.shutdownNow();
    }
    client.close();
  }
}
