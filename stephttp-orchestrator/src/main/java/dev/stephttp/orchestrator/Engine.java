package dev.stephttp.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Durations;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Opcode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run state machine: how ops, timers and re-entry outcomes change a run. Every method runs
 * inside one store transaction ({@link Tx}); effects outside the store (scheduling, waking
 * output waiters) happen only after commit through {@link EngineListener}.
 */
final class Engine {
  private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

  /** How a batch of ops reached us: sync checkpoint or re-entry response (§9.2 vs §9.4). */
  record Context(boolean async, int attempt, boolean noRetryHeader, Instant retryAfter) {
    static final Context SYNC = new Context(false, 0, false, null);
  }

  private final Settings settings;
  private final EngineListener listener;
  private final Waits waits;
  private final Watchdog watchdog;

  Engine(Settings settings, EngineListener listener, CelMatcher cel) {
    this.settings = settings;
    this.listener = listener;
    this.waits = new Waits(this, cel);
    this.watchdog = new Watchdog(this, settings);
  }

  Waits waits() {
    return waits;
  }

  static long now() {
    return System.currentTimeMillis();
  }

  /**
   * Applies a batch of ops to a running run (docs/protocol.md §9.2 / §9.4, Errata 2). Returns
   * null, or the §9.6 limit that failed the run (a checkpoint answers it with 413).
   */
  String applyOps(Tx tx, String runId, List<Op> ops, Context ctx) {
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
      scheduleDiscovery(tx, runId);
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
        JsonNode value = op.code() == Opcode.STEP_RUN ? dataEnvelope(op.data()) : orNull(op.data());
        batch.discovery |= ctx.async();
        boolean stored = storeStep(tx, run, op.id(), value, batch);
        if (stored) {
          StepTrail.completed(tx, run, op);
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
        boolean stored = storeStep(tx, run, op.id(), errorEnvelope(op), batch);
        if (stored) {
          StepTrail.failed(tx, run, op);
        }
        return stored;
      }
      case STEP_PLANNED -> {
        if (!complete) {
          insertWork(tx, WorkItem.reentry(run.id(), op.id(), 0, now()));
          StepTrail.planned(tx, run, op);
          batch.waiting = true;
        }
      }
      case SLEEP -> batch.waiting |= !complete && sleep(tx, run, op);
      case WAIT_FOR_EVENT -> batch.waiting |= !complete && waits.register(tx, run, op);
      case RUN_COMPLETE -> finish(tx, run, orNull(op.data()));
      case SYNC_RUN_COMPLETE -> finish(tx, run, orNull(op.data()).path("data"));
      case DISCOVERY_REQUEST -> batch.discovery = true;
      case NONE, DEFER_ADD, DEFER_ABORT -> {
        // nothing to do (deferred work is out of scope)
      }
      default -> {
        fail(tx, run, "UnsupportedOpcode", "opcode " + op.code() + " is not supported by"
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
      scheduleRetry(tx, run, null, ctx.attempt() + 1, delay);
      StepTrail.attemptFailed(tx, run, op, now() + delay.toMillis());
      batch.waiting = true;
      return true;
    }
    batch.discovery = true;
    boolean stored = storeStep(tx, run, op.id(), errorEnvelope(op), batch);
    if (stored) {
      StepTrail.failed(tx, run, op);
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
  private boolean storeStep(Tx tx, RunRecord run, String stepId, JsonNode value, Batch batch) {
    String text = value.toString();
    int size = text.getBytes(StandardCharsets.UTF_8).length;
    if (size > Settings.MAX_STEP_OUTPUT || run.stateBytes() + size > Settings.MAX_RUN_STATE) {
      String msg = size > Settings.MAX_STEP_OUTPUT
          ? "step output of " + size + " bytes exceeds the 4 MiB limit"
          : "run state would exceed the 32 MiB limit";
      fail(tx, run, "OutputTooLarge", msg);
      batch.tooLarge = msg;
      return false;
    }
    if (tx.putStep(run.id(), stepId, text)) {
      tx.updateRun(tx.run(run.id()).withStateBytes(run.stateBytes() + size));
    }
    return true;
  }

  static ObjectNode dataEnvelope(JsonNode data) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("data", orNull(data));
    return o;
  }

  private static ObjectNode errorEnvelope(Op op) {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.set("error", op.storedError());
    return o;
  }

  static JsonNode orNull(JsonNode n) {
    return n == null || n.isMissingNode() ? JsonNodeFactory.instance.nullNode() : n;
  }

  /** §6.4 Sleep: opts.duration, else name; ≥ 10 chars may be an instant. False if the run failed. */
  private boolean sleep(Tx tx, RunRecord run, Op op) {
    String spec = op.optText("duration");
    if (spec.isEmpty()) {
      spec = op.name();
    }
    Long until = untilMillis(spec, "sleep");
    if (until == null) {
      fail(tx, run, "InvalidSleep", "invalid sleep duration or time: \"" + spec + "\"");
      return false;
    }
    if (until - now() > Settings.MAX_SLEEP.toMillis()) {
      fail(tx, run, "InvalidSleep", "timeout too long: sleeps are limited to 366 days");
      return false;
    }
    insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.SLEEP_WAKE, op.id(), null, 0,
        until, 0));
    StepTrail.waiting(tx, run, op, "SLEEP", until, null, null);
    return true;
  }

  /** Parses a duration from now or an RFC 3339 instant; "" = now; null when invalid. */
  static Long untilMillis(String spec, String what) {
    long now = now();
    if (spec == null || spec.isEmpty()) {
      return now;
    }
    if (spec.length() >= 10) {
      try {
        return Math.max(now, OffsetDateTime.parse(spec).toInstant().toEpochMilli());
      } catch (DateTimeParseException e) {
        // not an instant: try a duration
      }
    }
    try {
      Duration d = Durations.parse(spec);
      return now + Math.max(0, d.toMillis());
    } catch (IllegalArgumentException | ArithmeticException e) {
      LOG.debug("invalid {} spec: {}", what, e.getMessage());
      return null;
    }
  }

  /** A checkpoint for the run was over its size limit (§9.6): fail the run if still running. */
  void failTooLarge(Tx tx, String runId, String message) {
    RunRecord run = tx.run(runId);
    if (run != null && run.running()) {
      fail(tx, run, "OutputTooLarge", message);
    }
  }

  /** Finalizes with an APIResult (§9.5): status ≥ 500 → FAILED, otherwise COMPLETED. */
  void finish(Tx tx, RunRecord run, JsonNode apiResult) {
    int status = apiResult.path("status").asInt(0);
    RunStatus st = status >= 500 ? RunStatus.FAILED : RunStatus.COMPLETED;
    finalizeRun(tx, run, st, dataEnvelope(apiResult).toString());
  }

  /** Fails the run with an error output {@code {"error": {name, message, data: null}}}. */
  void fail(Tx tx, RunRecord run, String name, String message) {
    ObjectNode err = JsonNodeFactory.instance.objectNode();
    err.put("name", name);
    err.put("message", message);
    err.putNull("data");
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.set("error", err);
    LOG.info("run {} failed: {}", run.id(), message);
    finalizeRun(tx, run, RunStatus.FAILED, out.toString());
  }

  /** Errata 2: finalization removes every pending timer, retry, re-entry and pause. */
  private void finalizeRun(Tx tx, RunRecord run, RunStatus status, String output) {
    tx.updateRun(tx.run(run.id()).finished(status, output, now()));
    tx.deleteWorkForRun(run.id());
    tx.deletePausesForRun(run.id());
    String id = run.id();
    tx.afterCommit(() -> listener.finished(id));
  }

  /**
   * docs/management-api.md §7.1: cancels a QUEUED or RUNNING run atomically with the removal of its
   * timers, pauses and pending retries; output waiters are answered after commit.
   */
  void cancel(Tx tx, RunRecord run) {
    ObjectNode err = JsonNodeFactory.instance.objectNode();
    err.put("name", "RunCancelled");
    err.put("message", "The run was cancelled");
    err.putNull("data");
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.set("error", err);
    long at = now();
    StepTrail.cancelAll(tx, run.id(), at);
    finalizeRun(tx, run, RunStatus.CANCELLED, out.toString());
  }

  void cancelled(Tx tx, long workId) {
    tx.afterCommit(() -> listener.cancelled(workId));
  }

  WorkItem insertWork(Tx tx, WorkItem item) {
    WorkItem stored = tx.insertWork(item);
    tx.afterCommit(() -> listener.scheduled(stored));
    return stored;
  }

  /**
   * Schedules a discovery re-entry unless a re-entry is already pending — a pending retry or
   * a planned sibling step (§9.4: discover only once no sibling is pending) re-runs the handler
   * anyway and sees the new state. Clears force-plan (§5.1).
   */
  void scheduleDiscovery(Tx tx, String runId) {
    boolean pending = tx.workForRun(runId).stream()
        .anyMatch(w -> w.kind() == WorkItem.Kind.REENTRY);
    clearForcePlan(tx, runId);
    if (!pending) {
      insertWork(tx, WorkItem.reentry(runId, null, 0, now()));
    }
  }

  /** The next whole-handler re-run executes steps again instead of planning them. */
  private void clearForcePlan(Tx tx, String runId) {
    RunRecord run = tx.run(runId);
    if (run.forcePlan() && run.requestVersion() >= 2) {
      tx.updateRun(run.withForcePlan(false)); // Errata 6: only for request version ≥ 2
    }
  }

  /** A retry re-runs the whole handler, like a discovery re-entry (§9.3). */
  private void scheduleRetry(Tx tx, RunRecord run, String target, int attempt, Duration delay) {
    clearForcePlan(tx, run.id());
    insertWork(tx, WorkItem.reentry(run.id(), target, attempt, now() + delay.toMillis()));
  }

  /** A sleep or wait timer is due (§9.4, §10.2): store null, then re-enter; or a watchdog. */
  void fireTimer(Tx tx, long workId) {
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
    StepTrail.resumed(tx, run.id(), item.stepId());
    scheduleDiscovery(tx, run.id());
  }

  /** Applies the outcome of a re-entry call; ignored when the item was cancelled meanwhile. */
  void reentryDone(Tx tx, long workId, Outcome outcome) {
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
      finish(tx, run, c.apiResult());
    } else if (outcome instanceof Outcome.Unreachable u) {
      unreachable(tx, run, item, u);
    } else if (outcome instanceof Outcome.Failure f) {
      if (f.retryable() && item.attempt() < run.retries()) {
        Duration delay = retryDelay(new Context(true, item.attempt(), false, f.retryAfter()));
        LOG.info("run {}: re-entry attempt {} failed ({}); retrying in {} ms", run.id(),
            item.attempt(), f.reason(), delay.toMillis());
        scheduleRetry(tx, run, item.targetStep(), item.attempt() + 1, delay);
      } else {
        fail(tx, run, f.retryable() ? "RetriesExhausted" : "NonRetriableError", f.reason());
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
        fail(tx, run, Watchdog.NAME, Watchdog.unreachableMessage(u.failures(), u.reason()));
      } else {
        fail(tx, run, "AppUnreachable", "the app could not be reached (" + u.failures()
            + " tries): " + u.reason());
      }
      return;
    }
    Duration delay = settings.connectionBackoff(u.failures());
    LOG.info("run {}: re-entry did not reach the app ({}); trying again in {} ms", run.id(),
        u.reason(), delay.toMillis());
    insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.REENTRY, item.stepId(),
        item.targetStep(), item.attempt(), now() + delay.toMillis(), 0));
  }

  static JsonNode parseJson(String text) {
    try {
      return Json.mapper().readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalStateException("stored JSON is invalid", e);
    }
  }
}
