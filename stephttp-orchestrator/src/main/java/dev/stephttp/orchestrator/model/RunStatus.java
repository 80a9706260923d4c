package dev.stephttp.orchestrator.model;

/** Lifecycle state of a run (docs/management-api.md §7.1); stored by name. */
public enum RunStatus {
  /** Created by a rerun; the endpoint has not been entered yet. */
  QUEUED,
  RUNNING,
  COMPLETED,
  FAILED,
  /** Cancelled through the management API before it finished. */
  CANCELLED;

  public boolean terminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED;
  }
}
