package dev.stephttp.orchestrator;

/**
 * One stored run. Immutable; the store replaces the whole record on update.
 *
 * @param family client family (PROTOCOL.md §12): decides body decoding, signing and completion rules
 * @param event the trigger event as JSON text
 * @param body original request body to replay on re-entry (already decoded), may be empty
 * @param output stored output ({@code {"data": APIResult}} or {@code {"error": E}}), null while running
 */
record RunRecord(
    String id,
    RunStatus status,
    String appId,
    String fnId,
    ClientFamily family,
    String event,
    String method,
    String url,
    String contentType,
    byte[] body,
    int requestVersion,
    int retries,
    boolean forcePlan,
    long stateBytes,
    long createdAt,
    long endedAt,
    String output) {

  RunRecord finished(RunStatus newStatus, String newOutput, long at) {
    return new RunRecord(id, newStatus, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, forcePlan, stateBytes, createdAt, at, newOutput);
  }

  RunRecord withForcePlan(boolean flag) {
    return new RunRecord(id, status, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, flag, stateBytes, createdAt, endedAt, output);
  }

  RunRecord withStateBytes(long bytes) {
    return new RunRecord(id, status, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, forcePlan, bytes, createdAt, endedAt, output);
  }

  boolean running() {
    return status == RunStatus.RUNNING;
  }

  @Override
  public String toString() {
    return "Run[" + id + " " + status + " " + method + " " + url + "]";
  }
}
