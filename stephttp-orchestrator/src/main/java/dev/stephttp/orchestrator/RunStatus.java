package dev.stephttp.orchestrator;

/** Lifecycle state of a run. */
enum RunStatus {
  RUNNING,
  COMPLETED,
  FAILED
}
