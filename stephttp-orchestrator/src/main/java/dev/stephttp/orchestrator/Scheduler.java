package dev.stephttp.orchestrator;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fires work items at their due time. The durable queue is the store's work table; this class
 * keeps the pending items in a priority queue and a timer thread that sleeps exactly until the
 * next due time (no polling interval). At most one re-entry per run is in flight: a due
 * re-entry of a busy run is parked until the in-flight one has been applied.
 */
final class Scheduler implements EngineListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  private record Due(long at, WorkItem item) {}

  private final Store store;
  private final Engine engine;
  private final Reentry reentry;
  private final OutputWaiters waiters;
  private final long leaseMillis;
  private final ExecutorService pool;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<Due> queue =
      new PriorityQueue<>((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at())
          : Long.compare(a.item().id(), b.item().id()));
  private final Set<String> inFlight = new HashSet<>();
  private final Map<String, Deque<WorkItem>> parked = new HashMap<>();
  /** Consecutive re-entries per run that did not reach the app (their own budget). */
  private final Map<String, Integer> unreachable = new java.util.concurrent.ConcurrentHashMap<>();
  private final Thread timer;
  private volatile boolean running = true;
  /** When the timer loop last went round (epoch ms), 0 before start-up recovery finished. */
  private volatile long lastTick;

  Scheduler(Store store, Settings settings, CelMatcher cel, OutputWaiters waiters) {
    this.store = store;
    this.waiters = waiters;
    this.engine = new Engine(settings, this, cel);
    this.reentry = new Reentry(settings);
    this.leaseMillis = settings.reentryTimeout().toMillis() + 60_000;
    int n = settings.reentryConcurrency();
    this.pool = new ThreadPoolExecutor(n, n, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        r -> {
          Thread t = new Thread(r, "stephttp-reentry");
          t.setDaemon(true);
          return t;
        });
    this.timer = new Thread(this::loop, "stephttp-scheduler");
    this.timer.setDaemon(true);
  }

  Engine engine() {
    return engine;
  }

  /** Reloads every work item (leases of a previous process are void) and starts the timer. */
  void start() {
    List<WorkItem> items = store.write(tx -> {
      tx.clearLeases();
      return tx.allWork();
    }).join();
    LOG.info("scheduler started with {} pending work item(s)", items.size());
    items.forEach(this::scheduled);
    timer.start();
  }

  @Override
  public void scheduled(WorkItem item) {
    lock.lock();
    try {
      queue.add(new Due(item.dueAt(), item));
      changed.signal();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void finished(String runId) {
    waiters.wake(runId);
    unreachable.remove(runId);
    lock.lock();
    try {
      // Errata 2: the store already dropped the run's work; drop the in-memory timers too.
      queue.removeIf(d -> d.item().runId().equals(runId));
      parked.remove(runId);
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void cancelled(long workId) {
    lock.lock();
    try {
      queue.removeIf(d -> d.item().id() == workId);
    } finally {
      lock.unlock();
    }
  }

  private void loop() {
    while (running) {
      lastTick = System.currentTimeMillis(); // readiness (docs/management-api.md §8.2)
      WorkItem next = null;
      lock.lock();
      try {
        Due head = queue.peek();
        long now = System.currentTimeMillis();
        if (head == null) {
          changed.await(1, TimeUnit.SECONDS);
        } else if (head.at() > now) {
          // at most 1 s, so lastTick stays fresh for the readiness check
          changed.await(Math.min(head.at() - now, 1000), TimeUnit.MILLISECONDS);
        } else {
          queue.poll();
          next = head.item();
          if (next.kind() == WorkItem.Kind.REENTRY) {
            if (inFlight.contains(next.runId())) {
              parked.computeIfAbsent(next.runId(), k -> new ArrayDeque<>()).add(next);
              next = null;
            } else {
              inFlight.add(next.runId());
            }
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } finally {
        lock.unlock();
      }
      if (next != null) {
        fire(next);
      }
    }
  }

  private void fire(WorkItem item) {
    if (item.kind() != WorkItem.Kind.REENTRY) {
      store.write(tx -> {
        engine.fireTimer(tx, item.id());
        return null;
      }).whenComplete((v, e) -> {
        if (e != null) {
          LOG.warn("timer {} of run {} failed; trying again", item.id(), item.runId(), e);
          retryLater(item);
        }
      });
      return;
    }
    store.write(tx -> {
      if (tx.work(item.id()) == null || tx.run(item.runId()) == null
          || !tx.run(item.runId()).running()) {
        return null;
      }
      tx.setLease(item.id(), System.currentTimeMillis() + leaseMillis);
      if (tx.run(item.runId()).status() == RunStatus.QUEUED) { // a rerun is entered: §7.1
        tx.updateRun(tx.run(item.runId()).started(System.currentTimeMillis()));
      }
      return tx.run(item.runId());
    }).whenComplete((run, e) -> {
      if (e != null || run == null) {
        if (e != null) {
          LOG.warn("could not lease work item {}; trying again", item.id(), e);
          retryLater(item);
        }
        release(item.runId());
        return;
      }
      try {
        pool.execute(() -> dispatch(run, item));
      } catch (RuntimeException rejected) {
        release(item.runId()); // shutting down: the lease is cleared on the next start
      }
    });
  }

  private void dispatch(RunRecord run, WorkItem item) {
    Outcome outcome;
    try {
      outcome = reentry.call(run, item);
    } catch (RuntimeException e) {
      LOG.warn("re-entry of run {} failed unexpectedly", run.id(), e);
      outcome = new Outcome.Failure("re-entry failed: " + e, true, null);
    }
    if (outcome instanceof Outcome.Unreachable u) {
      outcome = u.withFailures(unreachable.merge(run.id(), 1, Integer::sum));
    } else {
      unreachable.remove(run.id());
    }
    Outcome result = outcome;
    store.write(tx -> {
      engine.reentryDone(tx, item.id(), result);
      return null;
    }).whenComplete((v, e) -> {
      if (e != null) {
        // The item keeps its lease in the store; re-dispatch it like an expired lease.
        LOG.warn("applying the re-entry result of run {} failed; it will be re-entered again",
            run.id(), e);
        retryLater(item);
      }
      release(run.id());
    });
  }

  /** Store trouble: fire the item again later (it is still in the work table). */
  private void retryLater(WorkItem item) {
    if (running) {
      scheduled(new WorkItem(item.id(), item.runId(), item.kind(), item.stepId(),
          item.targetStep(), item.attempt(), System.currentTimeMillis() + 5_000, item.pauseId()));
    }
  }

  private void release(String runId) {
    lock.lock();
    try {
      inFlight.remove(runId);
      Deque<WorkItem> waiting = parked.remove(runId);
      if (waiting != null) {
        for (WorkItem w : waiting) {
          queue.add(new Due(w.dueAt(), w));
        }
        changed.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  long lastTick() {
    return lastTick;
  }

  /** Number of items waiting in memory (tests, metrics). */
  int pending() {
    lock.lock();
    try {
      return queue.size() + parked.values().stream().mapToInt(Deque::size).sum();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    running = false;
    timer.interrupt();
    pool.shutdown();
    try {
      if (!pool.awaitTermination(5, TimeUnit.SECONDS)) {
        pool.shutdownNow();
      }
      timer.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reentry.close();
  }
}
