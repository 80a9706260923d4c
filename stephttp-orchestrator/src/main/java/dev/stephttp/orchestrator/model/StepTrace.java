package dev.stephttp.orchestrator.model;

/**
 * What the management API shows about one step of a run (docs/management-api.md §7.2): written by
 * the engine in the same transaction as the op that changed it. The step's output is not
 * repeated here: the store keeps it, the memoized value, in the same row as the trace.
 *
 * @param stepKey hashed op ID (the span ID)
 * @param stepId user-defined step ID
 * @param name display name
 * @param op {@code RUN}, {@code SLEEP} or {@code WAIT_FOR_EVENT}
 * @param status {@code RUNNING}, {@code WAITING}, {@code COMPLETED}, {@code FAILED} or
 *     {@code CANCELLED}
 * @param attempts attempts made so far
 * @param error last error as JSON ({@code {name, message, stack}}), or null
 * @param waitReason {@code SLEEP}, {@code WAIT_FOR_EVENT} or {@code RETRY} while WAITING, else null
 * @param waitJson the wait as JSON ({@code since, until, eventName, if, nextAttempt}), or null
 * @param attemptLog JSON array of {@code {attempt, queuedAt, startedAt, endedAt, status, error}}
 */
public record StepTrace(String runId, String stepKey, String stepId, String name, String op,
    String status, int attempts, int maxAttempts, long queuedAt, long startedAt, long endedAt,
    String error, String waitReason, String waitJson, String attemptLog) {

  /** Step statuses. */
  public static final String RUNNING = "RUNNING";
  public static final String WAITING = "WAITING";
  public static final String COMPLETED = "COMPLETED";
  public static final String FAILED = "FAILED";
  public static final String CANCELLED = "CANCELLED";

  public StepTrace withStatus(String newStatus, long at) {
    return new StepTrace(runId, stepKey, stepId, name, op, newStatus, attempts, maxAttempts,
        queuedAt, startedAt, at, error, null, null, attemptLog);
  }
}
