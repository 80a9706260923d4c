package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.Outcome;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StoredJson;
import dev.stephttp.orchestrator.model.WorkItem;
import dev.stephttp.orchestrator.store.Store;
import dev.stephttp.orchestrator.store.Tx;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one service through which every change of state goes: creating a run, checkpoints,
 * completion, events, cancel, rerun, timers and re-entry results. It alone holds the writable
 * {@link Store}; each public method is one write transaction, answered after commit. Inside it
 * the run state machine applies ops, timers and re-entry outcomes; effects outside the store
 * (scheduling, waking output waiters) happen only after commit through {@link EngineListener}.
 * Thread-safe.
 */
public final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);
  /** How long an idempotency key of {@code POST /api/v2/events} holds (§8.20). */
  private static final long SEND_WINDOW = 24L * 3600 * 1000;

  /** How a batch of ops reached us: sync checkpoint or re-entry response (§9.2 vs §9.4). */
  private record Context(boolean async, int attempt, boolean noRetryHeader, Instant retryAfter) {
    static final Context SYNC = new Context(false, 0, false, null);
  }

  /** An event received on {@code POST /e/{key}} (§10.1), as the engine stores it. */
  public record IncomingEvent(String id, String dedupKey, String name, ObjectNode value) {}

  /** The event a {@link #sendEvent} stored, or the one it replayed (same idempotency key). */
  public record SentEvent(String id, boolean replayed) {}

  private final Store store;
  private final Settings settings;
  private final Transitions t;
  private final Waits waits;
  private final Watchdog watchdog;

  /**
   * @param listener after-commit notifications (the scheduler)
   * @param waiters the run-output requests answered when a run finishes
   */
  public Engine(Store store, Settings settings, Clock clock, CelMatcher cel,
      OutputWaiters waiters, EngineListener listener) {
    this.store = store;
    this.settings = settings;
    this.t = new Transitions(clock, listener, waiters);
    this.waits = new Waits(t, cel);
    this.watchdog = new Watchdog(t, settings);
  }

  private long now() {
    return t.now();
  }

  /** The result of a write, rethrowing the unit of work's own exception as it was thrown. */
  private static <T> T await(CompletableFuture<T> f) {
    try {
      return f.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re;
      }
      throw e;
    }
  }

  // ---- the changes of state (each one write transaction) ----

  /**
   * §2.1 create-run: stores the run, its catalogue entries and its first ops. Returns the stored
   * run: this one, or the first attempt's when a client retries the same trigger (nothing is
   * applied again).
   *
   * @throws BadRequest 409 when the run ID is taken by another trigger
   */
  public RunRecord createRun(RunRecord fresh, String eventName, List<Op> ops) {
    return await(store.write(tx -> {
      RunRecord existing = tx.run(fresh.id());
      if (existing != null) {
        // §2.1: a client retrying after a timeout gets the first attempt's answer, not a 409
        // (it would tell its user 503 while the run lives on, and their retry makes a second
        // run). Only the same trigger is a retry; nothing is applied again.
        if (!existing.sameTrigger(fresh)) {
          throw new BadRequest(409, "Run already exists");
        }
        return existing;
      }
      tx.insertRun(fresh);
      RunCatalog.register(tx, fresh, eventName);
      applyOps(tx, fresh.id(), ops, Context.SYNC);
      return fresh;
    }));
  }

  /**
   * §2.2 checkpoint of the user's request. Unknown or finished runs are ignored (logged only).
   * Returns null, or the §9.6 limit that failed the run.
   */
  public String checkpoint(String runId, List<Op> ops) {
    return await(store.write(tx -> applyOps(tx, runId, ops, Context.SYNC)));
  }

  /** A checkpoint for the run was over its size limit (§9.6): fail the run if still running. */
  public void failTooLarge(String runId, String message) {
    await(store.write(tx -> {
      RunRecord run = tx.run(runId);
      if (run != null && run.running()) {
        t.fail(tx, run, "OutputTooLarge", message);
      }
      return null;
    }));
  }

  /** §2.4: finishes a running run with {@code result} as its APIResult. */
  public void complete(String runId, JsonNode result) {
    await(store.write(tx -> {
      RunRecord run = tx.run(runId);
      if (run != null && run.running()) {
        t.finish(tx, run, result);
      }
      return null;
    }));
  }

  /**
   * §10.1: stores received events and resumes the waits they match, in one transaction. An
   * event whose client-supplied ID was seen before is a repeat: it resumes nothing.
   */
  public void receiveEvents(List<IncomingEvent> events) {
    long now = now();
    await(store.write(tx -> {
      for (IncomingEvent ev : events) {
        if (tx.insertEvent(ev.id(), ev.dedupKey(), ev.name(), ev.value().toString(), now)) {
          waits.resolve(tx, ev.id(), ev.name(), ev.value());
        }
      }
      return null;
    }));
  }

  /**
   * docs/management-api.md §8.20: stores a sent event and resumes the waits it matches. With an
   * idempotency {@code key} used within the last 24 hours, the first event is replayed instead
   * ({@link Refusal.Reason#IDEMPOTENCY_CONFLICT} when its {@code fingerprint} differs).
   *
   * @param value the event as waits see it ({@code name, data, user, id, ts})
   */
  public SentEvent sendEvent(String newId, String name, ObjectNode value, String key,
      String fingerprint) {
    long now = now();
    return await(store.write(tx -> {
      if (key != null) {
        EventRecord old = tx.eventByApiKey(key);
        if (old != null && now - old.receivedAt() < SEND_WINDOW) {
          if (!fingerprint.equals(old.fingerprint())) {
            throw new Refusal(Refusal.Reason.IDEMPOTENCY_CONFLICT, "This idempotency key was"
                + " used with a different event within the last 24 hours.");
          }
          return new SentEvent(old.id(), true);
        }
        if (old != null) {
          tx.clearApiKey(old.id());
        }
      }
      tx.insertEventRecord(new EventRecord(newId, name, value.toString(), now, key, key,
          key == null ? null : fingerprint));
      waits.resolve(tx, newId, name, value);
      return new SentEvent(newId, false);
    }));
  }

  /**
   * docs/protocol.md §10.3: resumes the run waiting for {@code signal}, its step storing
   * {@code data}; returns that run's ID, or null when no run waits for it (a repeated signal
   * finds the wait gone).
   */
  public String signal(String signal, JsonNode data) {
    return await(store.write(tx -> waits.signal(tx, signal, data)));
  }

  /** docs/management-api.md §8.10: QUEUED or RUNNING → CANCELLED; returns the cancelled run. */
  public RunRecord cancel(String runId) {
    return await(store.write(tx -> {
      RunRecord r = find(tx, runId);
      if (r.status() == RunStatus.CANCELLED) {
        throw new Refusal(Refusal.Reason.RUN_ALREADY_CANCELLED, "Run " + runId
            + " is already cancelled.");
      }
      if (r.status().terminal()) {
        throw new Refusal(Refusal.Reason.RUN_ALREADY_FINISHED, "Run " + runId
            + " already finished with status " + r.status() + ".");
      }
      t.cancel(tx, r);
      return tx.run(runId);
    }));
  }

  /**
   * docs/management-api.md §8.11: a new QUEUED run {@code newId} replaying the original request,
   * re-entered at once.
   */
  public RunRecord rerun(String runId, String newId) {
    return await(store.write(tx -> {
      RunRecord original = find(tx, runId);
      if (original.url() == null || original.method() == null) {
        throw new Refusal(Refusal.Reason.RUN_NOT_REPLAYABLE, "The original request of run "
            + runId + " is no longer stored.");
      }
      RunRecord fresh = original.rerun(newId, now());
      tx.insertRun(fresh);
      t.insertWork(tx, WorkItem.reentry(newId, null, 0, now()));
      return fresh;
    }));
  }

  private static RunRecord find(Tx tx, String id) {
    RunRecord r = tx.run(id);
    if (r == null) {
      throw new Refusal(Refusal.Reason.RUN_NOT_FOUND, "No run with ID " + id + ".");
    }
    return r;
  }

  // ---- the scheduler's changes of state ----

  /**
   * Every pending work item (start-up reload); an item a previous process leased is due only
   * when its lease expires.
   */
  public List<WorkItem> pendingWork() {
    return store.read(tx -> {
      Map<Long, Long> leases = tx.leases();
      return tx.allWork().stream().map(w -> {
        Long lease = leases.get(w.id());
        return lease == null || lease <= w.dueAt() ? w
            : new WorkItem(w.id(), w.runId(), w.kind(), w.stepId(), w.targetStep(), w.attempt(),
                lease, w.pauseId());
      }).toList();
    });
  }

  /** A sleep or wait timer or a watchdog is due. */
  public CompletableFuture<Void> fireTimer(long workId) {
    return store.write(tx -> {
      fireTimer(tx, workId);
      return null;
    });
  }

  /**
   * Leases a due re-entry of a running run for {@code leaseMillis}; completes with null when
   * there is nothing to send any more. A QUEUED run (a rerun) is started.
   */
  public CompletableFuture<RunRecord> lease(WorkItem item, long leaseMillis) {
    return store.write(tx -> {
      RunRecord run = tx.run(item.runId());
      if (tx.work(item.id()) == null || run == null || !run.running()) {
        return null;
      }
      tx.setLease(item.id(), now() + leaseMillis);
      if (run.status() == RunStatus.QUEUED) { // a rerun is entered: §7.1
        run = run.started(now());
        tx.updateRun(run);
      }
      return run;
    });
  }

  /** Clears the leases of re-entries that were never sent. */
  public CompletableFuture<Void> unlease(List<WorkItem> items) {
    return store.write(tx -> {
      items.forEach(w -> tx.setLease(w.id(), null));
      return null;
    });
  }

  /** Applies the outcome of a re-entry call; ignored when the item was cancelled meanwhile. */
  public CompletableFuture<Void> reentryDone(long workId, Outcome outcome) {
    return store.write(tx -> {
      reentryDone(tx, workId, outcome);
      return null;
    });
  }

  // ---- the run state machine, inside the caller's transaction ----

  /**
   * Applies a batch of ops to a running run (docs/protocol.md §9.2 / §9.4, Errata 2). Returns
   * null, or the §9.6 limit that failed the run (a checkpoint answers it with 413).
   */
  private String applyOps(Tx tx, String runId, List<Op> ops, Context ctx) {
    RunRecord run = tx.run(runId);
    if (run == null || !run.running()) {
      LOG.debug("ignoring {} op(s) for run {} (absent or finished)", ops.size(), runId);
      return null;
    }
    boolean complete = ops.stream().anyMatch(o -> o.code() == Opcode.RUN_COMPLETE
        || o.code() == Opcode.SYNC_RUN_COMPLETE);
    long nonLazy = ops.stream().filter(o -> !o.code().isLazy() && o.code() != Opcode.NONE).count();
    if (nonLazy > 1 && !run.forcePlan()) {
      run = run.withForcePlan(true); // §5.1: parallelism flags the run
      tx.updateRun(run);
    }
    List<Op> ordered = new ArrayList<>(ops);
    ordered.sort((a, b) -> Boolean.compare(b.code().isPriority(), a.code().isPriority()));
    Batch batch = new Batch(complete);
    for (Op op : ordered) {
      run = tx.run(runId);
      if (!run.running() || !apply(tx, run, op, ctx, batch)) {
        return batch.tooLarge;
      }
    }
    if (ctx.async() && ops.stream().allMatch(o -> o.code() == Opcode.NONE)) {
      batch.discovery = true; // §5.5 rule 2: only-None responses re-drive discovery
    }
    if (batch.discovery && !batch.waiting && !complete) {
      t.scheduleDiscovery(tx, runId);
    }
    if (!ctx.async()) {
      watchdog.arm(tx, runId); // only the user's request drives the run now
    }
    return null;
  }

  /** What a batch asks for once all its ops are applied. */
  private static final class Batch {
    final boolean complete;
    boolean discovery;
    boolean waiting;
    String tooLarge;

    Batch(boolean complete) {
      this.complete = complete;
    }
  }

  /** Applies one op; false stops the batch (the run failed or a limit was hit). */
  private boolean apply(Tx tx, RunRecord run, Op op, Context ctx, Batch batch) {
    boolean complete = batch.complete; // Errata 2: a completing batch schedules nothing
    switch (op.code()) {
      case STEP_RUN, STEP -> {
        String data = op.data() == null ? "null" : op.data();
        String value = op.code() == Opcode.STEP_RUN ? Transitions.dataEnvelope(data) : data;
        batch.discovery |= ctx.async();
        boolean stored = storeStep(tx, run, op.id(), value, batch);
        if (stored) {
          StepTrail.completed(tx, run, op, now());
        }
        return stored;
      }
      case STEP_ERROR -> {
        return complete || stepError(tx, run, op, ctx, batch);
      }
      case STEP_FAILED -> {
        // §9.3: a sync-phase StepFailed was thrown into the handler, which is still running in
        // the user's request and reports on: re-entering now would run the endpoint twice at
        // once (a caught failure's compensating step ran in both). Only a re-entry answer
        // needs the handler re-driven.
        batch.discovery |= !complete && ctx.async();
        boolean stored = storeStep(tx, run, op.id(), errorEnvelope(op).toString(), batch);
        if (stored) {
          StepTrail.failed(tx, run, op, now());
        }
        return stored;
      }
      case STEP_PLANNED -> {
        if (!complete) {
          t.insertWork(tx, WorkItem.reentry(run.id(), op.id(), 0, now()));
          StepTrail.planned(tx, run, op, now());
          batch.waiting = true;
        }
      }
      case SLEEP -> batch.waiting |= !complete && sleep(tx, run, op);
      case WAIT_FOR_EVENT -> batch.waiting |= !complete && waits.register(tx, run, op);
      case WAIT_FOR_SIGNAL -> batch.waiting |= !complete && waits.registerSignal(tx, run, op);
      case RUN_COMPLETE, SYNC_RUN_COMPLETE -> complete(tx, run, op);
      case DISCOVERY_REQUEST -> batch.discovery = true;
      case NONE, DEFER_ADD, DEFER_ABORT -> {
        // nothing to do (deferred work is out of scope)
      }
      default -> {
        t.fail(tx, run, "UnsupportedOpcode", "opcode " + op.code() + " is not supported by"
            + " this orchestrator");
        return false;
      }
    }
    return true;
  }

  /** §9.3: retry while attempts remain and no-retry is not set, else store as failed. */
  private boolean stepError(Tx tx, RunRecord run, Op op, Context ctx, Batch batch) {
    boolean noRetry = op.errorNoRetry() || ctx.noRetryHeader();
    if (!noRetry && ctx.attempt() < run.retries()) {
      Duration delay = ctx.async() ? retryDelay(ctx) : settings.syncRetryBackoff();
      t.scheduleRetry(tx, run, null, ctx.attempt() + 1, delay);
      StepTrail.attemptFailed(tx, run, op, now() + delay.toMillis(), now());
      batch.waiting = true;
      return true;
    }
    batch.discovery = true;
    boolean stored = storeStep(tx, run, op.id(), errorEnvelope(op).toString(), batch);
    if (stored) {
      StepTrail.failed(tx, run, op, now());
    }
    return stored;
  }

  private Duration retryDelay(Context ctx) {
    if (ctx.retryAfter() != null) {
      return Duration.ofMillis(Math.max(0, ctx.retryAfter().toEpochMilli() - now()));
    }
    return settings.backoff(ctx.attempt());
  }

  /**
   * Stores a step value with the size limits of §9.6; false when the run failed on them. A sync
   * checkpoint fails the run too: ignoring the op left it RUNNING for ever when the rest of the
   * batch (its RunComplete) was dropped with it.
   */
  /** RunComplete's data is the APIResult; SyncRunComplete's holds it in its own {@code data}. */
  private void complete(Tx tx, RunRecord run, Op op) {
    if (op.code() == Opcode.SYNC_RUN_COMPLETE) {
      JsonNode data = op.data() == null ? NullNode.instance : StoredJson.parse(op.data());
      t.finish(tx, run, data.path("data"));
    } else { // the status read with the op: the data is not parsed again here
      t.finish(tx, run, op.dataStatus(), op.data() == null ? "null" : op.data());
    }
  }

  private boolean storeStep(Tx tx, RunRecord run, String stepId, String text, Batch batch) {
    int size = text.getBytes(StandardCharsets.UTF_8).length;
    if (size > Settings.MAX_STEP_OUTPUT || run.stateBytes() + size > Settings.MAX_RUN_STATE) {
      String msg = size > Settings.MAX_STEP_OUTPUT
          ? "step output of " + size + " bytes exceeds the 4 MiB limit"
          : "run state would exceed the 32 MiB limit";
      t.fail(tx, run, "OutputTooLarge", msg);
      batch.tooLarge = msg;
      return false;
    }
    if (tx.putStep(run.id(), stepId, text)) {
      tx.updateRun(tx.run(run.id()).withStateBytes(run.stateBytes() + size));
    }
    return true;
  }

  private static ObjectNode errorEnvelope(Op op) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("error", op.storedError());
    return o;
  }

  /** §6.4 Sleep: opts.duration, else name; ≥ 10 chars may be an instant. False if the run failed. */
  private boolean sleep(Tx tx, RunRecord run, Op op) {
    String spec = op.optText("duration");
    if (spec.isEmpty()) {
      spec = op.name();
    }
    Long until = t.untilMillis(spec, "sleep");
    if (until == null) {
      t.fail(tx, run, "InvalidSleep", "invalid sleep duration or time: \"" + spec + "\"");
      return false;
    }
    if (until - now() > Settings.MAX_SLEEP.toMillis()) {
      t.fail(tx, run, "InvalidSleep", "timeout too long: sleeps are limited to 366 days");
      return false;
    }
    t.insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.SLEEP_WAKE, op.id(), null, 0,
        until, 0));
    StepTrail.waiting(tx, run, op, "SLEEP", until, null, null, now());
    return true;
  }

  /** A sleep or wait timer is due (§9.4, §10.2): store null, then re-enter; or a watchdog. */
  private void fireTimer(Tx tx, long workId) {
    WorkItem item = tx.work(workId);
    if (item == null) {
      return;
    }
    tx.deleteWork(workId);
    RunRecord run = tx.run(item.runId());
    if (run == null || !run.running()) {
      return;
    }
    if (item.kind() == WorkItem.Kind.WATCHDOG) {
      watchdog.fire(tx, run, item);
      return;
    }
    if (item.kind() == WorkItem.Kind.WAIT_TIMEOUT && !tx.deletePause(item.pauseId())) {
      return; // the pause was consumed by an event first
    }
    tx.putStep(run.id(), item.stepId(), "null");
    StepTrail.resumed(tx, run.id(), item.stepId(), now());
    t.scheduleDiscovery(tx, run.id());
  }

  /** Applies the outcome of a re-entry call; ignored when the item was cancelled meanwhile. */
  private void reentryDone(Tx tx, long workId, Outcome outcome) {
    WorkItem item = tx.work(workId);
    if (item == null) {
      return;
    }
    tx.deleteWork(workId);
    RunRecord run = tx.run(item.runId());
    if (run == null || !run.running()) {
      return;
    }
    if (outcome instanceof Outcome.Ops o) {
      applyOps(tx, run.id(), o.ops(), new Context(true, item.attempt(), o.noRetry(),
          o.retryAfter()));
    } else if (outcome instanceof Outcome.Complete c) {
      t.finish(tx, run, c.apiResult());
    } else if (outcome instanceof Outcome.Unreachable u) {
      unreachable(tx, run, item, u);
    } else if (outcome instanceof Outcome.Failure f) {
      if (f.retryable() && item.attempt() < run.retries()) {
        Duration delay = retryDelay(new Context(true, item.attempt(), false, f.retryAfter()));
        LOG.info("run {}: re-entry attempt {} failed ({}); retrying in {} ms", run.id(),
            item.attempt(), f.reason(), delay.toMillis());
        t.scheduleRetry(tx, run, item.targetStep(), item.attempt() + 1, delay);
      } else {
        t.fail(tx, run, f.retryable() ? "RetriesExhausted" : "NonRetriableError", f.reason());
      }
    }
  }

  /**
   * The app was not reached: the same re-entry (same attempt, same target) is tried again with
   * backoff while the connection budget lasts; an app restart or a reset costs no step retry.
   */
  private void unreachable(Tx tx, RunRecord run, WorkItem item, Outcome.Unreachable u) {
    if (u.failures() > settings.connectionRetries()) {
      if (Watchdog.RECOVERY.equals(item.stepId())) {
        t.fail(tx, run, Watchdog.NAME, Watchdog.unreachableMessage(u.failures(), u.reason()));
      } else {
        t.fail(tx, run, "AppUnreachable", "the app could not be reached (" + u.failures()
            + " tries): " + u.reason());
      }
      return;
    }
    Duration delay = settings.connectionBackoff(u.failures());
    LOG.info("run {}: re-entry did not reach the app ({}); trying again in {} ms", run.id(),
        u.reason(), delay.toMillis());
    t.insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.REENTRY, item.stepId(),
        item.targetStep(), item.attempt(), now() + delay.toMillis(), 0));
  }
}
