package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.AppRecord;
import dev.stephttp.orchestrator.model.EventFilter;
import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.Pause;
import dev.stephttp.orchestrator.model.RunFilter;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StepTrace;
import dev.stephttp.orchestrator.model.WorkItem;

import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The read operations of the store: what {@link ReadStore#read} hands out, and the reading half
 * of a write transaction ({@link Tx}). Not thread-safe: confined to the thread that runs the
 * unit of work.
 */
public interface Reads {

  /** The run, or null. */
  RunRecord run(String runId);

  /**
   * Step id → stored JSON value of the run's steps that have one, in the order the steps were
   * first recorded (a step's trace may precede its value; callers look values up by ID).
   */
  Map<String, String> steps(String runId);

  WorkItem work(long id);

  List<WorkItem> workForRun(String runId);

  Pause pause(long id);

  /** The wait a signal named {@code signal} resumes, or null. */
  Pause signalPause(String signal);

  /**
   * Candidate pauses for an event: those without an equality index, plus those whose indexed
   * path has the value {@code eqKeyOf.apply(path)} (null = path absent in the event).
   */
  List<Pause> pauseCandidates(String eventName, Function<String, String> eqKeyOf);

  /** Row counts per table (runs, steps, events, pauses, work): tests and metrics. */
  Map<String, Long> counts();

  /** All work items (start-up reload). */
  List<WorkItem> allWork();

  /**
   * Work ID → lease end (epoch ms) of every leased item (start-up: a lease left by the previous
   * process is waited out).
   */
  Map<Long, Long> leases();

  // ---- management API (docs/management-api.md): step traces, catalog, queries ----

  /** The trace of a step, or null (no such step, or a value the engine did not trace). */
  StepTrace stepTrace(String runId, String stepKey);

  /** The run's step traces in first-seen order. */
  List<StepTrace> stepTraces(String runId);

  /** Runs matching the filter, sorted and positioned by it, at most {@code limit}. */
  List<RunRecord> runs(RunFilter filter, int limit);

  /** Number of runs matching the filter (keyset ignored) per status. */
  Map<RunStatus, Long> countRuns(RunFilter filter);

  /** Waiting steps of RUNNING runs matching the app/function filters, per wait reason. */
  Map<String, Long> countWaits(RunFilter filter);

  /** Apps with an ID greater than {@code afterId} (null = from the start), by ID. */
  List<AppRecord> apps(String afterId, int limit);

  AppRecord app(String id);

  /** Functions of an app with an ID greater than {@code afterId}, by ID. */
  List<FunctionRecord> functions(String appId, String afterId, int limit);

  FunctionRecord function(String appId, String fnId);

  EventRecord event(String id);

  /** The event stored by {@code POST /api/v2/events} with this idempotency key, or null. */
  EventRecord eventByApiKey(String key);

  List<EventRecord> events(EventFilter filter, int limit);
}
