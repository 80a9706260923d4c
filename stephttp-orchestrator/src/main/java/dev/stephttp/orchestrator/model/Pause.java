package dev.stephttp.orchestrator.model;

/**
 * A registered {@code waitForEvent} or {@code waitForSignal}.
 *
 * @param eventName the awaited event's name; empty for a signal wait (no event has an empty
 *     name, so an event never matches it)
 * @param expr CEL condition, or null for "any event of that name"
 * @param eqPath when the condition contains a top-level conjunct {@code async.<path> == <literal>}:
 *     that path (e.g. {@code data.orderId}); null otherwise
 * @param eqValue the literal in {@link EqualityIndex#key canonical form}, when eqPath is set
 * @param signal the awaited signal of a signal wait that a signal still resumes; null for an
 *     event wait, and for a signal wait another run's wait replaced (it only times out)
 */
public record Pause(long id, String runId, String stepId, String eventName, String expr, String eqPath,
    String eqValue, long expiresAt, String signal) {

  /** A wait for the signal {@code signal} of a run's step, timing out at {@code expiresAt}. */
  public static Pause forSignal(String runId, String stepId, String signal, long expiresAt) {
    return new Pause(0, runId, stepId, "", null, null, null, expiresAt, signal);
  }

  public Pause withId(long newId) {
    return new Pause(newId, runId, stepId, eventName, expr, eqPath, eqValue, expiresAt, signal);
  }
}
