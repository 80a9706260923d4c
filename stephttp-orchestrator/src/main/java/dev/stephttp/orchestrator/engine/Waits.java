package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.Pause;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.StoredJson;
import dev.stephttp.orchestrator.model.WorkItem;
import dev.stephttp.orchestrator.store.Tx;
import java.util.List;

/**
 * {@code waitForEvent} and {@code waitForSignal} pauses, their resolution by events (docs/protocol.md
 * §10.2) and signals (§10.3). Runs inside the caller's transaction, so storing an event or taking a
 * signal and resuming the waits it matches commit together.
 */
final class Waits {
  /** The run-failure message of a signal wait in {@code fail} mode whose signal is taken. */
  static final String SIGNAL_CONFLICT =
      "Signal conflict; signal wait already exists for another run";

  private final Transitions t;
  private final CelMatcher cel;

  Waits(Transitions t, CelMatcher cel) {
    this.t = t;
    this.cel = cel;
  }

  /** Registers a pause and its timeout; false when the op was invalid and the run failed. */
  boolean register(Tx tx, RunRecord run, Op op) {
    String event = op.optText("event");
    if (event.isEmpty()) {
      event = op.name(); // TS puts the event name in `name` (§6.4)
    }
    if (event.isEmpty()) {
      t.fail(tx, run, "InvalidWait", "waitForEvent needs an event name");
      return false;
    }
    String expr = op.optText("if");
    EqualityIndex.Eq eq = null;
    if (!expr.isBlank()) {
      try {
        eq = cel.compile(expr).eq();
      } catch (CelMatcher.InvalidExpression e) {
        t.fail(tx, run, "InvalidExpression", e.getMessage());
        return false;
      }
    }
    Long until = until(tx, run, op);
    if (until == null) {
      return false;
    }
    Pause pause = tx.insertPause(new Pause(0, run.id(), op.id(), event,
        expr.isBlank() ? null : expr, eq == null ? null : eq.path(),
        eq == null ? null : eq.key(), until, null));
    t.insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.WAIT_TIMEOUT, op.id(), null,
        0, until, pause.id()));
    StepTrail.waiting(tx, run, op, "WAIT_FOR_EVENT", until, event, expr.isBlank() ? null : expr,
        t.now());
    return true;
  }

  /** The wait's {@code opts.timeout} as an instant; null when invalid and the run failed. */
  private Long until(Tx tx, RunRecord run, Op op) {
    String timeout = op.optText("timeout");
    Long until = t.untilMillis(timeout, "timeout");
    if (until == null) {
      t.fail(tx, run, "InvalidWait", "invalid wait timeout: \"" + timeout + "\"");
      return null;
    }
    if (until - t.now() > Settings.MAX_SLEEP.toMillis()) {
      t.fail(tx, run, "InvalidWait", "timeout too long: waits are limited to 366 days");
      return null;
    }
    return until;
  }

  /**
   * Registers a signal wait and its timeout (§10.3); false when the op was invalid, or its
   * signal is taken by another wait in {@code fail} mode, and the run failed. In {@code replace}
   * mode the other wait keeps only its timeout.
   */
  boolean registerSignal(Tx tx, RunRecord run, Op op) {
    String signal = op.optText("signal");
    if (signal.isEmpty()) {
      signal = op.name(); // the TS SDK sends it in both
    }
    if (signal.isBlank()) {
      t.fail(tx, run, "InvalidWait", "waitForSignal needs a signal name");
      return false;
    }
    String conflict = op.optText("conflict");
    if (!conflict.isEmpty() && !conflict.equals("fail") && !conflict.equals("replace")) {
      t.fail(tx, run, "InvalidWait", "unknown signal conflict mode \"" + conflict
          + "\"; expected \"fail\" or \"replace\"");
      return false;
    }
    Long until = until(tx, run, op);
    if (until == null) {
      return false;
    }
    Pause taken = tx.signalPause(signal);
    if (taken != null) {
      if (taken.expiresAt() >= t.now() && !conflict.equals("replace")) {
        t.fail(tx, run, "SignalConflict", SIGNAL_CONFLICT);
        return false;
      }
      tx.releaseSignal(taken.id()); // replaced, or expired with its timeout not yet fired
    }
    Pause pause = tx.insertPause(Pause.forSignal(run.id(), op.id(), signal, until));
    t.insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.WAIT_TIMEOUT, op.id(), null,
        0, until, pause.id()));
    StepTrail.waiting(tx, run, op, "WAIT_FOR_SIGNAL", until, signal, null, t.now());
    return true;
  }

  /**
   * Resumes the wait for {@code signal} (§10.3): the step stores {@code {"data": {"signal",
   * "data"}}}, the wait and its timeout are removed and the run is re-entered.
   *
   * @return the resumed run's ID, or null when no run waits for the signal
   */
  String signal(Tx tx, String signal, JsonNode data) {
    Pause p = tx.signalPause(signal);
    if (p == null || p.expiresAt() < t.now()) {
      return null; // nothing waits, or the timeout job resolves it
    }
    RunRecord run = tx.run(p.runId());
    if (run == null || !run.running() || !tx.deletePause(p.id())) {
      return null;
    }
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    value.putObject("data").put("signal", signal).set("data", data);
    resume(tx, run, p, value.toString());
    return run.id();
  }

  /** Consumes a pause: its timeout is removed, its step stores {@code value}, the run re-enters. */
  private void resume(Tx tx, RunRecord run, Pause p, String value) {
    for (WorkItem w : tx.workForRun(run.id())) {
      if (w.kind() == WorkItem.Kind.WAIT_TIMEOUT && w.pauseId() == p.id()) {
        tx.deleteWork(w.id());
        t.cancelled(tx, w.id());
      }
    }
    tx.putStep(run.id(), p.stepId(), value);
    StepTrail.resumed(tx, run.id(), p.stepId(), t.now());
    t.scheduleDiscovery(tx, run.id());
  }

  /**
   * Resolves the pauses an incoming event matches: each matching pause is consumed once, its
   * step stores the event (§4), its timeout is removed and the run is re-entered.
   *
   * @param eventId internal ID of the stored event (recorded as having resumed the run)
   * @param stepValue the event as stored for the step ({@code name, data, user, id, ts[, v]})
   * @return number of resumed waits
   */
  int resolve(Tx tx, String eventId, String eventName, ObjectNode stepValue) {
    List<Pause> candidates =
        tx.pauseCandidates(eventName, path -> EqualityIndex.keyOf(stepValue, path));
    int resumed = 0;
    long now = t.now();
    for (Pause p : candidates) {
      if (p.expiresAt() < now) {
        continue; // the timeout job resolves it
      }
      RunRecord run = tx.run(p.runId());
      if (run == null || !run.running()) {
        continue;
      }
      if (p.expr() != null
          && !cel.matches(p.expr(), StoredJson.parse(run.event()), stepValue)) {
        continue;
      }
      if (!tx.deletePause(p.id())) {
        continue;
      }
      tx.linkResumed(eventId, run.id(), p.stepId(), now);
      resume(tx, run, p, stepValue.toString());
      resumed++;
    }
    return resumed;
  }
}
