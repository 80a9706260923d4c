package dev.stephttp.orchestrator;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Primitive operations of one store transaction, implemented by {@link SqliteStore}; the
 * engine's rules are written against this interface. Not thread-safe: a
 * transaction is confined to the thread that runs it.
 */
interface Tx {

  /** The run, or null. */
  RunRecord run(String runId);

  void insertRun(RunRecord run);

  /** Replaces a stored run (same id). */
  void updateRun(RunRecord run);

  /** Stores a step value (JSON text); a second save for the same step is ignored (returns false). */
  boolean putStep(String runId, String stepId, String valueJson);

  /** Step id → stored JSON value, in insertion order. */
  Map<String, String> steps(String runId);

  /** Inserts and returns the item with its id. */
  WorkItem insertWork(WorkItem item);

  WorkItem work(long id);

  boolean deleteWork(long id);

  List<WorkItem> workForRun(String runId);

  void deleteWorkForRun(String runId);

  /** Sets or clears (null) a dispatch lease. */
  void setLease(long workId, Long leaseUntil);

  Pause insertPause(Pause pause);

  Pause pause(long id);

  boolean deletePause(long id);

  void deletePausesForRun(String runId);

  /**
   * Candidate pauses for an event: those without an equality index, plus those whose indexed
   * path has the value {@code eqKeyOf.apply(path)} (null = path absent in the event).
   */
  List<Pause> pauseCandidates(String eventName, Function<String, String> eqKeyOf);

  /**
   * Stores an event. {@code dedupKey} is the client-supplied event id (§10.1), or null; returns
   * false, storing nothing, when an event with that key was stored before.
   */
  boolean insertEvent(String id, String dedupKey, String name, String json, long receivedAt);

  /** Row counts per table (runs, steps, events, pauses, work): tests and metrics. */
  Map<String, Long> counts();

  /** All work items (start-up reload). */
  List<WorkItem> allWork();

  /**
   * Work ID → lease end (epoch ms) of every leased item (start-up: a lease left by the previous
   * process is waited out).
   */
  Map<Long, Long> leases();

  /** Runs {@code action} after the enclosing transaction committed (dropped on rollback). */
  void afterCommit(Runnable action);

  // ---- management API (docs/management-api.md): step traces, catalog, queries ----

  /** The trace row of a step, or null. */
  StepTrace stepTrace(String runId, String stepKey);

  /** Inserts or replaces a step's trace row; a replaced row keeps its position. */
  void putStepTrace(StepTrace trace);

  /** The run's step traces in first-seen order. */
  List<StepTrace> stepTraces(String runId);

  /** Runs matching the filter, sorted and positioned by it, at most {@code limit}. */
  List<RunRecord> runs(RunFilter filter, int limit);

  /** Number of runs matching the filter (keyset ignored) per status. */
  Map<RunStatus, Long> countRuns(RunFilter filter);

  /** Waiting steps of RUNNING runs matching the app/function filters, per wait reason. */
  Map<String, Long> countWaits(RunFilter filter);

  /** Creates or refreshes an app and one of its functions (keeps createdAt, raises lastSeen). */
  void touchFunction(FunctionRecord fn);

  /** Apps with an ID greater than {@code afterId} (null = from the start), by ID. */
  List<AppRecord> apps(String afterId, int limit);

  AppRecord app(String id);

  /** Functions of an app with an ID greater than {@code afterId}, by ID. */
  List<FunctionRecord> functions(String appId, String afterId, int limit);

  FunctionRecord function(String appId, String fnId);

  /** Stores an event with its management fields; false when its ID or API key exists. */
  boolean insertEventRecord(EventRecord event);

  EventRecord event(String id);

  /** The event stored by {@code POST /api/v2/events} with this idempotency key, or null. */
  EventRecord eventByApiKey(String key);

  /** Forgets the API idempotency key of an event (its 24 h window passed). */
  void clearApiKey(String eventId);

  List<EventRecord> events(EventFilter filter, int limit);

  /** Records that an event completed a wait of a run. */
  void linkResumed(String eventId, String runId, String stepKey, long at);
}
