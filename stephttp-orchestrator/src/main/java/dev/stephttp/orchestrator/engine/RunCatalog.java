package dev.stephttp.orchestrator.engine;

import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.store.Tx;

/**
 * What a new run adds to the management API's catalogue, in the run's own transaction: its
 * trigger event (docs/management-api.md §7.4: {@code inngest/http.request} events are the recorded
 * requests) and its app and function.
 */
final class RunCatalog {
  private RunCatalog() {}

  /** Records the trigger event ({@link RunRecord#eventId()}) and touches app and function. */
  static void register(Tx tx, RunRecord run, String eventName) {
    if (run.eventId() != null) {
      tx.insertTriggerEvent(new EventRecord(run.eventId(), eventName, run.event(),
          run.createdAt(), null, null, null));
    }
    tx.touchFunction(new FunctionRecord(run.appSlug(), run.fnSlug(), run.fnSlug(),
        run.retries(), run.createdAt(), run.createdAt()));
  }
}
