package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Durations;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.WorkItem;
import dev.stephttp.orchestrator.store.Tx;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The primitive run transitions the engine, its waits and its watchdog share, inside the
 * caller's transaction: finalizing (finish, fail, cancel), scheduling work, and the clock.
 * Effects outside the store (scheduling timers, answering output waiters) run after commit.
 */
final class Transitions {
  private static final Logger LOG = LoggerFactory.getLogger(Transitions.class);

  private final Clock clock;
  private final EngineListener listener;
  private final OutputWaiters waiters;

  Transitions(Clock clock, EngineListener listener, OutputWaiters waiters) {
    this.clock = clock;
    this.listener = listener;
    this.waiters = waiters;
  }

  long now() {
    return clock.millis();
  }

  /** Parses a duration from now or an RFC 3339 instant; "" = now; null when invalid. */
  Long untilMillis(String spec, String what) {
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

  /** {@code {"data": V}} from V's JSON text. */
  static String dataEnvelope(String json) {
    return "{\"data\":" + json + "}";
  }

  /** Finalizes with an APIResult (§9.5): status ≥ 500 → FAILED, otherwise COMPLETED. */
  void finish(Tx tx, RunRecord run, JsonNode apiResult) {
    finish(tx, run, apiResult.path("status").asInt(0),
        apiResult.isMissingNode() ? "null" : apiResult.toString());
  }

  /** {@link #finish(Tx, RunRecord, JsonNode)} with the APIResult's status and JSON text. */
  void finish(Tx tx, RunRecord run, int status, String apiResult) {
    RunStatus st = status >= 500 ? RunStatus.FAILED : RunStatus.COMPLETED;
    finalizeRun(tx, run, st, dataEnvelope(apiResult));
  }

  /** Fails the run with an error output {@code {"error": {name, message, data: null}}}. */
  void fail(Tx tx, RunRecord run, String name, String message) {
    LOG.info("run {} failed: {}", run.id(), message);
    finalizeRun(tx, run, RunStatus.FAILED, errorOutput(name, message));
  }

  /**
   * docs/management-api.md §7.1: cancels a QUEUED or RUNNING run atomically with the removal of
   * its timers, pauses and pending retries; output waiters are answered after commit.
   */
  void cancel(Tx tx, RunRecord run) {
    StepTrail.cancelAll(tx, run.id(), now());
    finalizeRun(tx, run, RunStatus.CANCELLED, errorOutput("RunCancelled",
        "The run was cancelled"));
  }

  private static String errorOutput(String name, String message) {
    ObjectNode err = JsonNodeFactory.instance.objectNode();
    err.put("name", name);
    err.put("message", message);
    err.putNull("data");
    ObjectNode out = JsonNodeFactory.instance.objectNode();
    out.set("error", err);
    return out.toString();
  }

  /** Errata 2: finalization removes every pending timer, retry, re-entry and pause. */
  private void finalizeRun(Tx tx, RunRecord run, RunStatus status, String output) {
    tx.updateRun(tx.run(run.id()).finished(status, output, now()));
    tx.deleteWorkForRun(run.id());
    tx.deletePausesForRun(run.id());
    String id = run.id();
    tx.afterCommit(() -> {
      waiters.wake(id);
      listener.finished(id);
    });
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
  void scheduleRetry(Tx tx, RunRecord run, String target, int attempt, Duration delay) {
    clearForcePlan(tx, run.id());
    insertWork(tx, WorkItem.reentry(run.id(), target, attempt, now() + delay.toMillis()));
  }
}
