package dev.stephttp.orchestrator.engine;

import dev.stephttp.orchestrator.model.WorkItem;

/** After-commit notifications from the engine (run on the committing thread: keep them quick). */
public interface EngineListener {

  /** A work item became durable; the scheduler should fire it at its due time. */
  void scheduled(WorkItem item);

  /** A run reached COMPLETED or FAILED; output waiters can be answered, timers dropped. */
  void finished(String runId);

  /** A pending work item was deleted (e.g. the timeout of a wait an event resolved). */
  void cancelled(long workId);
}
