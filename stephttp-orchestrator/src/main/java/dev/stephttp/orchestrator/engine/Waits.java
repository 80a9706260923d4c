package dev.stephttp.orchestrator.engine;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.Pause;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.StoredJson;
import dev.stephttp.orchestrator.model.WorkItem;
import dev.stephttp.orchestrator.store.Tx;
import java.util.List;

/**
 * {@code waitForEvent} pauses and event resolution (docs/protocol.md §10.2). Runs inside the caller's
 * transaction, so storing an event and resuming the waits it matches commit together.
 */
final class Waits {
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
    String timeout = op.optText("timeout");
    Long until = t.untilMillis(timeout, "timeout");
    if (until == null) {
      t.fail(tx, run, "InvalidWait", "invalid wait timeout: \"" + timeout + "\"");
      return false;
    }
    if (until - t.now() > Settings.MAX_SLEEP.toMillis()) {
      t.fail(tx, run, "InvalidWait", "timeout too long: waits are limited to 366 days");
      return false;
    }
    Pause pause = tx.insertPause(new Pause(0, run.id(), op.id(), event,
        expr.isBlank() ? null : expr, eq == null ? null : eq.path(),
        eq == null ? null : eq.key(), until));
    t.insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.WAIT_TIMEOUT, op.id(), null,
        0, until, pause.id()));
    StepTrail.waiting(tx, run, op, "WAIT_FOR_EVENT", until, event, expr.isBlank() ? null : expr,
        t.now());
    return true;
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
      for (WorkItem w : tx.workForRun(run.id())) {
        if (w.kind() == WorkItem.Kind.WAIT_TIMEOUT && w.pauseId() == p.id()) {
          tx.deleteWork(w.id());
          t.cancelled(tx, w.id());
        }
      }
      tx.putStep(run.id(), p.stepId(), stepValue.toString());
      StepTrail.resumed(tx, run.id(), p.stepId(), now);
      tx.linkResumed(eventId, run.id(), p.stepId(), now);
      t.scheduleDiscovery(tx, run.id());
      resumed++;
    }
    return resumed;
  }
}
