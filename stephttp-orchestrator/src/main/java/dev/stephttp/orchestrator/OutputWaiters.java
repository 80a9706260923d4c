package dev.stephttp.orchestrator;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Clients blocked on the run-output endpoint, keyed by run. No thread is held per waiter: the
 * waiter is a callback (it completes a servlet {@code AsyncContext}) run when the run finishes.
 */
final class OutputWaiters implements AutoCloseable {
  private final ConcurrentHashMap<String, Set<Runnable>> waiters = new ConcurrentHashMap<>();
  private final ExecutorService executor = Executors.newFixedThreadPool(2, r -> {
    Thread t = new Thread(r, "stephttp-output");
    t.setDaemon(true);
    return t;
  });

  void add(String runId, Runnable onFinished) {
    waiters.computeIfAbsent(runId, k -> ConcurrentHashMap.newKeySet()).add(onFinished);
  }

  void remove(String runId, Runnable onFinished) {
    waiters.computeIfPresent(runId, (k, set) -> {
      set.remove(onFinished);
      return set.isEmpty() ? null : set;
    });
  }

  /** Answers every waiter of the run (called after the finishing transaction committed). */
  void wake(String runId) {
    Set<Runnable> set = waiters.remove(runId);
    if (set != null) {
      for (Runnable r : set) {
        executor.execute(r);
      }
    }
  }

  int count() {
    return waiters.values().stream().mapToInt(Set::size).sum();
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
