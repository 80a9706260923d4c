package dev.stephttp.orchestrator.model;

/**
 * A registered {@code waitForEvent}.
 *
 * @param expr CEL condition, or null for "any event of that name"
 * @param eqPath when the condition contains a top-level conjunct {@code async.<path> == <literal>}:
 *     that path (e.g. {@code data.orderId}); null otherwise
 * @param eqValue the literal in {@link EqualityIndex#key canonical form}, when eqPath is set
 */
public record Pause(long id, String runId, String stepId, String eventName, String expr, String eqPath,
    String eqValue, long expiresAt) {

  public Pause withId(long newId) {
    return new Pause(newId, runId, stepId, eventName, expr, eqPath, eqValue, expiresAt);
  }
}
