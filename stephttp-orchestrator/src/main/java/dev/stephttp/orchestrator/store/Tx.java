package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.Pause;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.StepTrace;
import dev.stephttp.orchestrator.model.WorkItem;

/**
 * Primitive operations of one store transaction, implemented by {@link SqliteStore}; the
 * engine's rules are written against this interface. Not thread-safe: a
 * transaction is confined to the thread that runs it.
 */
public interface Tx extends Reads {

  void insertRun(RunRecord run);

  /** Replaces a stored run (same id). */
  void updateRun(RunRecord run);

  /** Stores a step value (JSON text); a second save for the same step is ignored (returns false). */
  boolean putStep(String runId, String stepId, String valueJson);

  /** Inserts and returns the item with its id. */
  WorkItem insertWork(WorkItem item);

  boolean deleteWork(long id);

  void deleteWorkForRun(String runId);

  /** Sets or clears (null) a dispatch lease. */
  void setLease(long workId, Long leaseUntil);

  Pause insertPause(Pause pause);

  boolean deletePause(long id);

  /** A signal wait another run replaced: no signal resumes it any more, its timeout still runs. */
  void releaseSignal(long pauseId);

  void deletePausesForRun(String runId);

  /**
   * Stores an event. {@code dedupKey} is the client-supplied event id (§10.1), or null; returns
   * false, storing nothing, when an event with that key was stored before.
   */
  boolean insertEvent(String id, String dedupKey, String name, String json, long receivedAt);

  /** Runs {@code action} after the enclosing transaction committed (dropped on rollback). */
  void afterCommit(Runnable action);

  /**
   * Inserts or replaces a step's trace; a replaced one keeps its position, and the step its
   * value.
   */
  void putStepTrace(StepTrace trace);

  /** Creates or refreshes an app and one of its functions (keeps createdAt, raises lastSeen). */
  void touchFunction(FunctionRecord fn);

  /**
   * Stores a new run's trigger event (a fresh ID, no idempotency or API key) with the run's
   * other writes.
   */
  void insertTriggerEvent(EventRecord event);

  /** Stores an event with its management fields; false when its ID or API key exists. */
  boolean insertEventRecord(EventRecord event);

  /** Forgets the API idempotency key of an event (its 24 h window passed). */
  void clearApiKey(String eventId);

  /** Records that an event completed a wait of a run. */
  void linkResumed(String eventId, String runId, String stepKey, long at);
}
