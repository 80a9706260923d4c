package dev.stephttp.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One stored run. Immutable; the store replaces the whole record on update.
 *
 * @param family client family (docs/protocol.md §12): decides body decoding, signing and completion rules
 * @param event the trigger event as JSON text
 * @param body original request body to replay on re-entry (already decoded), may be empty
 * @param output stored output ({@code {"data": APIResult}} or {@code {"error": E}}), null while running
 * @param appSlug the app ID shown by the management API: the endpoint domain as reported
 * @param fnSlug the function ID within the app: configured ID, else {@code "<METHOD> <path>"}
 * @param startedAt first execution start (epoch ms), 0 while QUEUED
 * @param originalRunId for reruns, the first run of the chain; else null
 * @param eventId internal ID of the stored trigger event, or null
 */
public record RunRecord(
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
    String output,
    String appSlug,
    String fnSlug,
    long startedAt,
    String originalRunId,
    String eventId) {

  /** A RUNNING run without management metadata (tests, older call sites). */
  public RunRecord(String id, RunStatus status, String appId, String fnId, ClientFamily family,
      String event, String method, String url, String contentType, byte[] body,
      int requestVersion, int retries, boolean forcePlan, long stateBytes, long createdAt,
      long endedAt, String output) {
    this(id, status, appId, fnId, family, event, method, url, contentType, body, requestVersion,
        retries, forcePlan, stateBytes, createdAt, endedAt, output, appId, fnId, createdAt, null,
        null);
  }

  public RunRecord finished(RunStatus newStatus, String newOutput, long at) {
    return new RunRecord(id, newStatus, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, forcePlan, stateBytes, createdAt, at, newOutput, appSlug, fnSlug,
        startedAt, originalRunId, eventId);
  }

  public RunRecord withForcePlan(boolean flag) {
    return new RunRecord(id, status, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, flag, stateBytes, createdAt, endedAt, output, appSlug, fnSlug,
        startedAt, originalRunId, eventId);
  }

  public RunRecord withStateBytes(long bytes) {
    return new RunRecord(id, status, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, forcePlan, bytes, createdAt, endedAt, output, appSlug, fnSlug,
        startedAt, originalRunId, eventId);
  }

  /** QUEUED → RUNNING when the orchestrator first enters the endpoint. */
  public RunRecord started(long at) {
    return new RunRecord(id, RunStatus.RUNNING, appId, fnId, family, event, method, url,
        contentType, body, requestVersion, retries, forcePlan, stateBytes, createdAt, endedAt,
        output, appSlug, fnSlug, at, originalRunId, eventId);
  }

  /** A new QUEUED run replaying this run's request (management API rerun). */
  public RunRecord rerun(String newId, long at) {
    return new RunRecord(newId, RunStatus.QUEUED, appId, fnId, family, event, method, url,
        contentType, body, requestVersion, retries, false, 0, at, 0, null, appSlug, fnSlug, 0,
        originalRunId == null ? id : originalRunId, eventId);
  }

  /** The run with its stored trigger event's ID. */
  public RunRecord withEventId(String newEventId) {
    return new RunRecord(id, status, appId, fnId, family, event, method, url, contentType, body,
        requestVersion, retries, forcePlan, stateBytes, createdAt, endedAt, output, appSlug,
        fnSlug, startedAt, originalRunId, newEventId);
  }

  /** Not terminal: QUEUED or RUNNING (ops, timers and re-entries still apply). */
  public boolean running() {
    return !status.terminal();
  }

  /**
   * Whether a create-run for an existing run ID is a retry of the one that created it: the same
   * endpoint, request and trigger event (its generated ID and time aside), retries and version.
   */
  public boolean sameTrigger(RunRecord again) {
    JsonNode a = StoredJson.parse(event);
    JsonNode b = StoredJson.parse(again.event());
    return family == again.family()
        && appId.equals(again.appId())
        && fnId.equals(again.fnId())
        && method.equals(again.method())
        && url.equals(again.url())
        && java.util.Objects.equals(contentType, again.contentType())
        && java.util.Arrays.equals(orEmpty(body), orEmpty(again.body()))
        && requestVersion == again.requestVersion()
        && retries == again.retries()
        && a.path("name").equals(b.path("name"))
        && a.path("data").equals(b.path("data"));
  }

  private static byte[] orEmpty(byte[] b) {
    return b == null ? new byte[0] : b;
  }

  @Override
  public String toString() {
    return "Run[" + id + " " + status + " " + method + " " + url + "]";
  }
}
