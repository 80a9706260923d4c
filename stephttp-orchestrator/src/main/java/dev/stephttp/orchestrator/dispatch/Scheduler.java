package dev.stephttp.orchestrator.dispatch;

import dev.stephttp.orchestrator.engine.AppOrigins;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.EngineListener;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.Outcome;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.WorkItem;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.concurrent.CompletableFuture;
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
 * next due time (no polling interval). A re-entry of the whole handler runs alone: a due
 * re-entry of a busy run is parked until the in-flight ones have been applied. Re-entries that
 * execute one planned step ({@code X-Inngest-Step-ID}, parallel steps, docs/protocol.md §5.1) of
 * a run run side by side, at most {@link Settings#reentryFanOutPerRun()} of them at once. At most
 * {@link Settings#reentryConcurrencyPerOrigin()} re-entries per callback origin are in flight:
 * the others wait their turn in order, without holding a thread. A dispatched re-entry is leased
 * in the store for its timeout plus a margin; a restarted scheduler waits out a lease left by
 * the previous process (its call may still be running in the app) before sending it again.
 */
public final class Scheduler implements EngineListener, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Scheduler.class);

  private record Due(long at, WorkItem item) {}

  /** A leased re-entry waiting for a free slot of its origin. */
  private record Waiting(RunRecord run, WorkItem item) {}

  private final Clock clock;
  private final Reentry reentry;
  /** Set once by {@link #start}, before the timer thread starts. */
  private volatile Engine engine;
  private final long leaseMillis;
  private final ExecutorService pool;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final PriorityQueue<Due> queue =
      new PriorityQueue<>((a, b) -> a.at() != b.at() ? Long.compare(a.at(), b.at())
          : Long.compare(a.item().id(), b.item().id()));
  /** Re-entries in flight per run (under lock); a run without any has no entry. */
  private final Map<String, RunSlots> inFlight = new HashMap<>();
  private final int fanOut;
  private final Map<String, Deque<WorkItem>> parked = new HashMap<>();
  /** Re-entries in flight per callback origin, and those waiting for a slot (under lock). */
  private final Map<String, Integer> activePerOrigin = new HashMap<>();
  private final Map<String, Deque<Waiting>> waitingPerOrigin = new HashMap<>();
  private final int perOrigin;
  private final AppOrigins origins;
  /** Consecutive re-entries per run that did not reach the app (their own budget). */
  private final Map<String, Integer> unreachable = new java.util.concurrent.ConcurrentHashMap<>();
  private final Thread timer;
  private volatile boolean running = true;
  /**
   * When the timer loop last went round ({@link System#nanoTime()}: an elapsed time, which a
   * step of the wall clock must not turn into a stall), valid once {@link #ticked} is set.
   */
  private volatile long lastTickNanos;
  /** Whether the timer loop went round once (start-up recovery finished). */
  private volatile boolean ticked;

  public Scheduler(Settings settings, Clock clock) {
    this.clock = clock;
    this.reentry = new Reentry(settings, clock);
    this.leaseMillis = settings.reentryLeaseMillis();
    this.perOrigin = settings.reentryConcurrencyPerOrigin();
    this.fanOut = settings.reentryFanOutPerRun();
    this.origins = settings.appOrigins();
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

  /**
   * Reloads every work item and starts the timer. An item a previous process leased is due again
   * only when its lease expires: that process may have sent it, and the app may still be running
   * it (the previous process's call ends with it, the app's handler does not). Every change of
   * state the scheduler makes goes through {@code engine}.
   */
  public void start(Engine engine) {
    this.engine = engine;
    long now = clock.millis();
    List<WorkItem> items = engine.pendingWork();
    long leased = items.stream().filter(w -> w.dueAt() > now).count();
    LOG.info("scheduler started with {} pending work item(s)", items.size());
    if (leased > 0) {
      LOG.debug("{} of them are due later or wait for the lease of a previous process", leased);
    }
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
      lastTickNanos = System.nanoTime(); // readiness (docs/management-api.md §8.2)
      ticked = true;
      WorkItem next = null;
      lock.lock();
      try {
        Due head = queue.peek();
        long now = clock.millis();
        if (head == null) {
          changed.await(1, TimeUnit.SECONDS);
        } else if (head.at() > now) {
          // at most 1 s, so the last tick stays fresh for the readiness check
          changed.await(Math.min(head.at() - now, 1000), TimeUnit.MILLISECONDS);
        } else {
          queue.poll();
          next = head.item();
          if (next.kind() == WorkItem.Kind.REENTRY && !occupy(next)) {
            parked.computeIfAbsent(next.runId(), k -> new ArrayDeque<>()).add(next);
            next = null;
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
      engine.fireTimer(item.id()).whenComplete((v, e) -> {
        if (e != null) {
          LOG.warn("timer {} of run {} failed; trying again", item.id(), item.runId(), e);
          retryLater(item);
        }
      });
      return;
    }
    if (!running) {
      release(item);
      return;
    }
    engine.lease(item, leaseMillis).whenComplete((run, e) -> {
      if (e != null || run == null) {
        if (e != null) {
          LOG.warn("could not lease work item {}; trying again", item.id(), e);
          retryLater(item);
        }
        release(item);
        return;
      }
      admit(run, item);
    });
  }

  /** Sends a leased re-entry now if its origin has a free slot, else queues it for one. */
  private void admit(RunRecord run, WorkItem item) {
    if (!running) { // closing: it would never be sent
      unlease(List.of(item), false);
      release(item);
      return;
    }
    String origin = originOf(run);
    lock.lock();
    try {
      int active = activePerOrigin.getOrDefault(origin, 0);
      if (active >= perOrigin) {
        waitingPerOrigin.computeIfAbsent(origin, k -> new ArrayDeque<>())
            .add(new Waiting(run, item));
        return;
      }
      activePerOrigin.put(origin, active + 1);
    } finally {
      lock.unlock();
    }
    execute(run, item, origin, false);
  }

  private static String originOf(RunRecord run) {
    String origin = AppOrigins.ofUrl(run.url());
    return origin == null ? String.valueOf(run.url()) : origin;
  }

  private void execute(RunRecord run, WorkItem item, String origin, boolean waited) {
    try {
      pool.execute(() -> dispatch(run, item, origin, waited));
    } catch (RuntimeException rejected) {
      // shutting down: nothing was sent, so the next start need not wait out the lease
      unlease(List.of(item), false); // maybe on the store's thread: do not wait for it
      release(item);
      releaseOrigin(origin);
    }
  }

  /**
   * Clears the leases of items that were never sent (best effort: shutting down); {@code wait}
   * only off the store's own thread.
   */
  private void unlease(List<WorkItem> items, boolean wait) {
    if (items.isEmpty()) {
      return;
    }
    try {
      CompletableFuture<Void> done = engine.unlease(items);
      if (wait) {
        done.join();
      }
    } catch (RuntimeException e) {
      LOG.debug("could not clear the leases of {} unsent re-entries", items.size(), e);
    }
  }

  private void dispatch(RunRecord leased, WorkItem item, String origin, boolean waited) {
    RunRecord run = leased;
    if (waited) {
      // It waited for its origin: lease it anew from now, unless the run moved on meanwhile.
      if (!running) {
        unlease(List.of(item), true);
        release(item);
        releaseOrigin(origin);
        return;
      }
      try {
        run = engine.lease(item, leaseMillis).join();
      } catch (RuntimeException e) {
        LOG.warn("could not lease work item {}; trying again", item.id(), e);
        retryLater(item);
        run = null;
      }
      if (run == null) {
        release(item);
        releaseOrigin(origin);
        return;
      }
    }
    Outcome outcome;
    if (!origins.allowsUrl(run.url())) {
      // stored before appOrigins was set (or a rerun of such a run): never called back
      outcome = new Outcome.Failure("the run's callback origin " + originOf(run)
          + " is not one of the app origins this orchestrator calls back (setting "
          + AppOrigins.SETTING + ")", false, null);
    } else {
      try {
        outcome = reentry.call(run, item);
      } catch (RuntimeException e) {
        LOG.warn("re-entry of run {} failed unexpectedly", run.id(), e);
        outcome = new Outcome.Failure("re-entry failed: " + e, true, null);
      }
    }
    if (!running && outcome instanceof Outcome.Unreachable) {
      // Shutting down cut the call: the app may still be running it. The item keeps its lease,
      // which the next start waits out before sending it again.
      release(item);
      releaseOrigin(origin);
      return;
    }
    if (outcome instanceof Outcome.Unreachable u) {
      outcome = u.withFailures(unreachable.merge(run.id(), 1, Integer::sum));
    } else {
      unreachable.remove(run.id());
    }
    Outcome result = outcome;
    engine.reentryDone(item.id(), result).whenComplete((v, e) -> {
      if (e != null) {
        // The item keeps its lease in the store; re-dispatch it like an expired lease.
        LOG.warn("applying the re-entry result of run {} failed; it will be re-entered again",
            item.runId(), e);
        retryLater(item);
      }
      release(item);
      releaseOrigin(origin);
    });
  }

  /** A re-entry to {@code origin} ended: its slot goes to the next one waiting, if any. */
  private void releaseOrigin(String origin) {
    Waiting next;
    lock.lock();
    try {
      Deque<Waiting> waiting = waitingPerOrigin.get(origin);
      next = waiting == null ? null : waiting.poll();
      if (waiting != null && waiting.isEmpty()) {
        waitingPerOrigin.remove(origin);
      }
      if (next == null) {
        int active = activePerOrigin.getOrDefault(origin, 1) - 1;
        if (active <= 0) {
          activePerOrigin.remove(origin);
        } else {
          activePerOrigin.put(origin, active);
        }
        return;
      }
    } finally {
      lock.unlock();
    }
    execute(next.run(), next.item(), origin, true); // the slot passes on
  }

  /** Store trouble: fire the item again later (it is still in the work table). */
  private void retryLater(WorkItem item) {
    if (running) {
      scheduled(new WorkItem(item.id(), item.runId(), item.kind(), item.stepId(),
          item.targetStep(), item.attempt(), clock.millis() + 5_000, item.pauseId()));
    }
  }

  /** The re-entries of one run in flight: planned steps, or one of the whole handler. */
  private static final class RunSlots {
    int planned;
    boolean whole;
  }

  /** Whether a re-entry executes one planned step (and may run beside its siblings). */
  private static boolean planned(WorkItem item) {
    String target = item.targetStep();
    return target != null && !target.isEmpty() && !"step".equals(target);
  }

  /** Takes a slot of {@code item}'s run if it may start now (under lock). */
  private boolean occupy(WorkItem item) {
    RunSlots slots = inFlight.computeIfAbsent(item.runId(), k -> new RunSlots());
    if (slots.whole || (planned(item) ? slots.planned >= fanOut : slots.planned > 0)) {
      return false; // the run has a slot taken, so its entry stays
    }
    if (planned(item)) {
      slots.planned++;
    } else {
      slots.whole = true;
    }
    return true;
  }

  private void release(WorkItem item) {
    String runId = item.runId();
    lock.lock();
    try {
      RunSlots slots = inFlight.get(runId);
      if (slots != null) {
        if (planned(item)) {
          slots.planned = Math.max(0, slots.planned - 1);
        } else {
          slots.whole = false;
        }
        if (slots.planned == 0 && !slots.whole) {
          inFlight.remove(runId);
        }
      }
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

  /**
   * Milliseconds since the timer loop last went round, or -1 before it went round once (start-up
   * recovery not finished).
   */
  public long millisSinceTick() {
    return ticked ? (System.nanoTime() - lastTickNanos) / 1_000_000 : -1;
  }

  /** Number of items waiting in memory (tests, metrics). */
  public int pending() {
    lock.lock();
    try {
      return queue.size() + parked.values().stream().mapToInt(Deque::size).sum()
          + waitingPerOrigin.values().stream().mapToInt(Deque::size).sum();
    } finally {
      lock.unlock();
    }
  }

  @Override
  public void close() {
    running = false;
    timer.interrupt();
    List<WorkItem> unsent = new java.util.ArrayList<>();
    lock.lock();
    try {
      waitingPerOrigin.values().forEach(q -> q.forEach(w -> unsent.add(w.item())));
      waitingPerOrigin.clear();
    } finally {
      lock.unlock();
    }
    unlease(unsent, true); // leased, never sent: the next start sends them without waiting
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
