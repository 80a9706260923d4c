package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.StepTrace;
import dev.stephttp.orchestrator.store.Tx;

/**
 * Keeps the per-step records of the management API's traces (docs/management-api.md §7.2) in step
 * with the engine. Called inside the engine's transactions, so a trace never disagrees with the
 * state it describes; it writes one row per changed step and no other I/O.
 */
final class StepTrail {
  private static final String RUNNING = StepTrace.RUNNING;
  private static final String WAITING = StepTrace.WAITING;
  private static final String COMPLETED = StepTrace.COMPLETED;
  private static final String FAILED = StepTrace.FAILED;
  private static final String CANCELLED = StepTrace.CANCELLED;

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private StepTrail() {}

  private static boolean skip(Op op) {
    return op.id().isEmpty() || op.id().equals(StepIds.COMPLETE_ID);
  }

  private static String kind(Op op) {
    return switch (op.code()) {
      case SLEEP -> "SLEEP";
      case WAIT_FOR_EVENT -> "WAIT_FOR_EVENT";
      case WAIT_FOR_SIGNAL -> "WAIT_FOR_SIGNAL";
      default -> "RUN";
    };
  }

  /** The user-defined step ID: userland ID, else (TS sleeps/waits) display name, else name. */
  private static String stepId(Op op) {
    if (op.userId() != null) {
      return op.userId();
    }
    boolean tsNameIsOption = op.code() == dev.stephttp.internal.wire.Opcode.SLEEP
        || op.code() == dev.stephttp.internal.wire.Opcode.WAIT_FOR_EVENT;
    if (tsNameIsOption && op.displayName() != null) {
      return op.displayName();
    }
    return op.name().isEmpty() ? op.id() : op.name();
  }

  private static StepTrace base(Tx tx, RunRecord run, Op op, long now) {
    StepTrace t = tx.stepTrace(run.id(), op.id());
    if (t != null) {
      return t;
    }
    String id = stepId(op);
    boolean run0 = kind(op).equals("RUN");
    long start = op.startMs() > 0 ? op.startMs() : now;
    return new StepTrace(run.id(), op.id(), id, op.displayName() != null ? op.displayName() : id,
        kind(op), RUNNING, 0, run0 ? run.retries() + 1 : 1, start, start, 0, null, null, null,
        "[]");
  }

  /**
   * The attempt log with one more attempt: appended to the stored JSON array's text (a log is
   * only ever appended to, so it is not parsed again).
   */
  private static String appendAttempt(StepTrace t, long start, long end, String status,
      JsonNode error) {
    String a = "{\"attempt\":" + (t.attempts() + 1) + ",\"queuedAt\":"
        + (t.attempts() == 0 ? t.queuedAt() : start) + ",\"startedAt\":" + start
        + ",\"endedAt\":" + end + ",\"status\":\"" + status + "\",\"error\":"
        + (error == null ? "null" : error.toString()) + "}";
    String log = t.attemptLog() == null ? "[]" : t.attemptLog().strip();
    if (!log.startsWith("[") || !log.endsWith("]")) {
      log = "[]";
    }
    String body = log.substring(1, log.length() - 1).strip();
    return "[" + body + (body.isEmpty() ? "" : ",") + a + "]";
  }

  private static long[] span(Op op, StepTrace t, long now) {
    long start = op.startMs() > 0 ? op.startMs() : now;
    long end = op.startMs() > 0 ? op.startMs() + Math.max(0, op.durationMs()) : now;
    return new long[] {Math.min(start, end), end};
  }

  /** A RUN step returned a value (StepRun / Step). */
  static void completed(Tx tx, RunRecord run, Op op, long now) {
    finish(tx, run, op, COMPLETED, null, now);
  }

  /** A RUN step failed for good (StepFailed, or StepError without attempts left). */
  static void failed(Tx tx, RunRecord run, Op op, long now) {
    finish(tx, run, op, FAILED, op.storedError(), now);
  }

  private static void finish(Tx tx, RunRecord run, Op op, String status, JsonNode error,
      long now) {
    if (skip(op)) {
      return;
    }
    StepTrace t = base(tx, run, op, now);
    if (t.status().equals(COMPLETED) || t.status().equals(FAILED)) {
      return; // a duplicate checkpoint of a stored step
    }
    long[] s = span(op, t, now);
    String log = appendAttempt(t, s[0], s[1], status, error);
    tx.putStepTrace(new StepTrace(t.runId(), t.stepKey(), t.stepId(), t.name(), t.op(), status,
        t.attempts() + 1, t.maxAttempts(), t.queuedAt(), t.attempts() == 0 ? s[0] : t.startedAt(),
        s[1], error == null ? t.error() : error.toString(), null, null, log));
  }

  /** A RUN step attempt failed and a retry is scheduled at {@code nextAt}. */
  static void attemptFailed(Tx tx, RunRecord run, Op op, long nextAt, long now) {
    if (skip(op)) {
      return;
    }
    StepTrace t = base(tx, run, op, now);
    long[] s = span(op, t, now);
    JsonNode error = op.storedError();
    String log = appendAttempt(t, s[0], s[1], FAILED, error);
    ObjectNode wait = F.objectNode();
    wait.put("since", s[1]);
    wait.put("until", nextAt);
    wait.put("nextAttempt", t.attempts() + 2);
    tx.putStepTrace(new StepTrace(t.runId(), t.stepKey(), t.stepId(), t.name(), t.op(), WAITING,
        t.attempts() + 1, t.maxAttempts(), t.queuedAt(), t.attempts() == 0 ? s[0] : t.startedAt(),
        0, error.toString(), "RETRY", wait.toString(), log));
  }

  /** A step was planned (it runs in a targeted re-entry). */
  static void planned(Tx tx, RunRecord run, Op op, long now) {
    if (!skip(op) && tx.stepTrace(run.id(), op.id()) == null) {
      tx.putStepTrace(base(tx, run, op, now));
    }
  }

  /**
   * A SLEEP, WAIT_FOR_EVENT or WAIT_FOR_SIGNAL step began waiting until {@code until}, for the
   * event or signal {@code awaited} (null for a sleep).
   */
  static void waiting(Tx tx, RunRecord run, Op op, String reason, long until, String awaited,
      String expr, long now) {
    StepTrace t = base(tx, run, op, now);
    ObjectNode wait = F.objectNode();
    wait.put("since", now);
    wait.put("until", until);
    wait.put(reason.equals("WAIT_FOR_SIGNAL") ? "signal" : "eventName", awaited);
    wait.put("if", expr);
    tx.putStepTrace(new StepTrace(t.runId(), t.stepKey(), t.stepId(), t.name(), t.op(), WAITING,
        1, 1, now, now, 0, null, reason, wait.toString(), "[]"));
  }

  /** A sleep ended, a wait timed out or an event resumed it. */
  static void resumed(Tx tx, String runId, String stepKey, long now) {
    StepTrace t = tx.stepTrace(runId, stepKey);
    if (t != null && t.status().equals(WAITING)) {
      tx.putStepTrace(t.withStatus(COMPLETED, now));
    }
  }

  /** The run was cancelled: every step that had not finished becomes CANCELLED. */
  static void cancelAll(Tx tx, String runId, long at) {
    for (StepTrace t : tx.stepTraces(runId)) {
      if (t.status().equals(WAITING) || t.status().equals(RUNNING)) {
        tx.putStepTrace(t.withStatus(CANCELLED, at));
      }
    }
  }
}
