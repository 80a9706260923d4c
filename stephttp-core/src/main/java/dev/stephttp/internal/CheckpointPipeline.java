package dev.stephttp.internal;

import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.GeneratorOpcode;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends sync-phase ops to the orchestrator in the background (docs/how-it-works.md): the first batch of a
 * run creates it, later ops of the same run queue behind it and go out together, at most one call
 * in flight per run. A run's first op waits up to the linger for the ops after it: a request that
 * ends within it (or reaches its async switch) sends one create-run carrying all its ops. The
 * handler never waits, except at the async switch ({@link RunCheckpoints#durable()}).
 *
 * <p>The number of queued ops is bounded. When it is reached, the orchestrator is answering but
 * slower than the handlers produce: backpressure, the handler's emit waits for room, at most the
 * backpressure timeout, and past it the op is refused (the request is answered 503, never silently
 * unrecorded). Ops are dropped only when the orchestrator is down ({@link
 * OrchestratorClient#reachable()}): the run's checkpoints are given up with a warning and counted,
 * and the user's response goes out. Thread-safe; owns its sender threads.
 */
public final class CheckpointPipeline implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(CheckpointPipeline.class);
  /** How often a waiting emit looks again whether the orchestrator went down. */
  private static final long RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);

  private final OrchestratorClient client;
  private final ExecutorService senders;
  private final int capacity;
  private final Duration backpressureTimeout;
  private final long lingerNanos;
  /** Fires lingering runs' first sends; null when the linger is zero. */
  private final ScheduledThreadPoolExecutor lingerTimer;
  /** Runs whose first ops linger, sent at once by {@link #close}. */
  private final Set<RunCheckpoints> lingering = ConcurrentHashMap.newKeySet();
  private final Object lock = new Object();
  private int queued;
  private final AtomicLong runsDropped = new AtomicLong();
  private final AtomicLong runsRefused = new AtomicLong();

  /** How an emit fared against the queue bound. */
  enum Admission {
    /** Queued. */
    ADMITTED,
    /** The queue is full and the orchestrator is down: the run's checkpoints are dropped. */
    ORCHESTRATOR_DOWN,
    /** The queue stayed full past the backpressure timeout while the orchestrator answered. */
    BUSY
  }

  /**
   * Creates a pipeline sending through {@code client}, sized by its settings; an emit waits at most
   * {@code backpressureTimeout} for room in a full queue; a run's first ops wait at most {@code
   * linger} for the rest of the request before they are sent (zero: sent at once).
   */
  public CheckpointPipeline(OrchestratorClient client, Duration backpressureTimeout, Duration linger) {
    if (linger.isNegative()) {
      throw new IllegalArgumentException("linger must not be negative, was " + linger);
    }
    this.client = client;
    this.backpressureTimeout = backpressureTimeout;
    this.lingerNanos = linger.toNanos();
    if (lingerNanos > 0) {
      lingerTimer = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "stephttp-checkpoint-linger");
        t.setDaemon(true);
        return t;
      });
      lingerTimer.setRemoveOnCancelPolicy(true); // runs that end in time leave nothing behind
    } else {
      lingerTimer = null;
    }
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

  /** Runs whose checkpoints were dropped because the orchestrator was down. */
  public long runsDropped() {
    return runsDropped.get();
  }

  /** Requests answered 503 because their run could not be recorded in time. */
  public long runsRefused() {
    return runsRefused.get();
  }

  /** Counts a request answered 503 because its run could not be recorded. */
  public void countRefused() {
    runsRefused.incrementAndGet();
  }

  void countDropped() {
    runsDropped.incrementAndGet();
  }

  Admission reserve(int n) {
    long deadline = System.nanoTime() + backpressureTimeout.toNanos();
    synchronized (lock) {
      while (queued + n > capacity) {
        if (!client.reachable()) {
          return Admission.ORCHESTRATOR_DOWN;
        }
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return Admission.BUSY;
        }
        try {
          TimeUnit.NANOSECONDS.timedWait(lock, Math.min(left, RECHECK_NANOS));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return Admission.BUSY;
        }
      }
      queued += n;
      return Admission.ADMITTED;
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

  /**
   * Calls {@link RunCheckpoints#flush} once the linger has passed, or returns null when there is no
   * linger or the pipeline is closing (the caller sends at once). The run calls {@link
   * #lingerEnded} when it is sent earlier, and cancels the returned future.
   */
  ScheduledFuture<?> linger(RunCheckpoints run) {
    if (lingerTimer == null) {
      return null;
    }
    lingering.add(run);
    try {
      return lingerTimer.schedule(run::flush, lingerNanos, TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closing) {
      lingering.remove(run);
      return null;
    }
  }

  void lingerEnded(RunCheckpoints run) {
    lingering.remove(run);
  }

  /** Runs {@code drain} on a sender thread after {@code delay} (no thread waits in between). */
  void submitLater(Runnable drain, Duration delay) {
    CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, senders).execute(drain);
  }

  /** Stops the sender threads after the queued work; call {@link #awaitIdle} first to drain. */
  @Override
  public void close() {
    if (lingerTimer != null) {
      lingerTimer.shutdownNow();
      lingering.forEach(RunCheckpoints::flush); // sent now, not lost with the timer
    }
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
