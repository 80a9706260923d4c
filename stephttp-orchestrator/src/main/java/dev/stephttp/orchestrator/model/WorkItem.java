package dev.stephttp.orchestrator.model;

/**
 * A durable future action of a run: a row with a due time (and, while dispatched, a lease).
 *
 * @param id store-assigned id (0 before insertion)
 * @param stepId the sleep/wait step a timer resolves (null for re-entries)
 * @param targetStep hashed step id for a targeted re-entry ({@code X-Inngest-Step-ID}), or null
 * @param attempt retry attempt this re-entry represents (docs/protocol.md §9.3)
 * @param pauseId for wait timeouts: the pause to remove when the timer fires
 */
public record WorkItem(long id, String runId, Kind kind, String stepId, String targetStep, int attempt,
    long dueAt, long pauseId) {

  /** What happens when the item is due. */
  public enum Kind {
    /** Call the app (discovery, targeted step, or a retry when attempt > 0). */
    REENTRY,
    /** A sleep ended: store null for the step, then re-enter. */
    SLEEP_WAKE,
    /** A wait timed out: remove the pause, store null for the step, then re-enter. */
    WAIT_TIMEOUT,
    /**
     * Checks that a run in its sync phase still reports ({@link Watchdog}); {@code attempt}
     * counts the checks that found it stuck, {@code pauseId} holds its state size then.
     */
    WATCHDOG
  }

  public static WorkItem reentry(String runId, String targetStep, int attempt, long dueAt) {
    return new WorkItem(0, runId, Kind.REENTRY, null, targetStep, attempt, dueAt, 0);
  }

  public WorkItem withId(long newId) {
    return new WorkItem(newId, runId, kind, stepId, targetStep, attempt, dueAt, pauseId);
  }

  WorkItem withPause(long newPauseId) {
    return new WorkItem(id, runId, kind, stepId, targetStep, attempt, dueAt, newPauseId);
  }
}
