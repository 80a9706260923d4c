package dev.stephttp.orchestrator.model;

/**
 * A stored event with what the management API shows about it.
 *
 * @param id internal ULID
 * @param json the event object ({@code name, data, user, id, ts})
 * @param idempotencyKey client ID or {@code Idempotency-Key} it came with, or null
 * @param apiKey idempotency key of {@code POST /api/v2/events} (its own namespace), or null
 * @param fingerprint hash of the semantic input for {@code apiKey} replays, or null
 */
public record EventRecord(String id, String name, String json, long receivedAt, String idempotencyKey,
    String apiKey, String fingerprint) {}
