package dev.stephttp.orchestrator;

/** Lifecycle state of a run (docs/management-api.md §7.1); stored by name. */
enum RunStatus {
  /** Created by a rerun; the endpoint has not been entered yet. */
  QUEUED,
  RUNNING,
  COMPLETED,
  FAILED,
  /** Cancelled through the management API before it finished. */
  CANCELLED;

  boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
