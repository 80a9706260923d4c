package dev.stephttp.orchestrator.engine;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Clients blocked on the run-output endpoint, keyed by run. No thread is held per waiter: the
 * waiter is a callback (it completes a servlet {@code AsyncContext}) run when the run finishes.
 */
public final class OutputWaiters implements AutoCloseable {
  /** A parked output request. */
  public interface Waiter {
    /** The run finished: answer with its output. */
    void finished();

    /** The orchestrator is stopping: answer "still running" so the client retries later. */
    void stopping();
  }

  private final ConcurrentHashMap<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "stephttp-output");
    t.setDaemon(true);
    return t;
  });

  public void add(String runId, Waiter onFinished) {
    waiters.computeIfAbsent(runId, k -> ConcurrentHashMap.newKeySet()).add(onFinished);
  }

  public void remove(String runId, Waiter onFinished) {
    waiters.computeIfPresent(runId, (k, set) -> {
      set.remove(onFinished);
      return set.isEmpty() ? null : set;
    });
  }

  /** Answers every waiter of the run (called after the finishing transaction committed). */
  void wake(String runId) {
    Set<Waiter> set = waiters.remove(runId);
    if (set != null) {
      for (Waiter w : set) {
        executor.execute(w::finished);
      }
    }
  }

  public int count() {
    return waiters.values().stream().mapToInt(Set::size).sum();
  }

  /** Answers every parked request with "still running" (graceful shutdown). */
  public void stopAll() {
    for (String runId : waiters.keySet()) {
      Set<Waiter> set = waiters.remove(runId);
      if (set != null) {
        set.forEach(Waiter::stopping);
      }
    }
  }

  @Override
  public void close() {
    stopAll();
    executor.shutdownNow();
  }
}
