package dev.stephttp.orchestrator.engine;

import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.WorkItem;
import dev.stephttp.orchestrator.store.Tx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds runs that nobody drives any more. In the sync phase only the user's request moves a run
 * on: the orchestrator has no timer or re-entry for it. If the app dies in the middle of that
 * request, no RunComplete ever comes and the run would stay RUNNING for ever. So a sync
 * checkpoint that leaves a run without any work arms a watchdog item; when it is due and the
 * run has neither work nor new step state since it was armed, the orchestrator re-enters the
 * run itself (a recovery re-entry), at most {@link #RECOVERIES} times, and then fails it with
 * {@code app_stopped_reporting}. A recovery that cannot reach the app fails the run with the
 * same reason once the connection budget is spent.
 */
final class Watchdog {
  private static final Logger LOG = LoggerFactory.getLogger(Watchdog.class);

  /** Marks a recovery re-entry (its {@code stepId}, unused by re-entries otherwise). */
  static final String RECOVERY = "recovery";
  static final int RECOVERIES = 3;
  static final String NAME = "AppStoppedReporting";
  static final String REASON = "app_stopped_reporting";

  private final Transitions t;
  private final Settings settings;

  Watchdog(Transitions t, Settings settings) {
    this.t = t;
    this.settings = settings;
  }

  /** After a sync checkpoint: arms the watchdog when nothing else is pending for the run. */
  void arm(Tx tx, String runId) {
    RunRecord run = tx.run(runId);
    if (run != null && run.running() && tx.workForRun(runId).isEmpty()) {
      t.insertWork(tx, item(run, 0));
    }
  }

  /** The item carries how often it found the run stuck, and the run's state size it saw. */
  private WorkItem item(RunRecord run, int strikes) {
    return new WorkItem(0, run.id(), WorkItem.Kind.WATCHDOG, null, null, strikes,
        t.now() + settings.orphanTimeout().toMillis(), run.stateBytes());
  }

  /** A due watchdog item of a running run (already deleted from the store). */
  void fire(Tx tx, RunRecord run, WorkItem item) {
    if (!tx.workForRun(run.id()).isEmpty()) {
      return; // a timer, wait or re-entry drives the run now
    }
    if (run.stateBytes() != item.pauseId()) {
      t.insertWork(tx, item(run, 0)); // the request reported since: watch on
      return;
    }
    if (item.attempt() >= RECOVERIES) {
      t.fail(tx, run, NAME, REASON + ": no checkpoint for "
          + settings.orphanTimeout().toMillis() + " ms after " + RECOVERIES
          + " recovery re-entries");
      return;
    }
    LOG.info("run {}: no checkpoint for {} ms and nothing pending; re-entering it", run.id(),
        settings.orphanTimeout().toMillis());
    t.insertWork(tx, new WorkItem(0, run.id(), WorkItem.Kind.REENTRY, RECOVERY, null, 0,
        t.now(), 0));
    t.insertWork(tx, item(run, item.attempt() + 1));
  }

  /** The run's last recovery re-entry could not reach the app. */
  static String unreachableMessage(int tries, String reason) {
    return REASON + ": the app stopped reporting during the user's request and could not be"
        + " reached afterwards (" + tries + " tries): " + reason;
  }
}
