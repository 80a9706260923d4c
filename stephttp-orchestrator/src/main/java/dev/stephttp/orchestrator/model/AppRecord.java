package dev.stephttp.orchestrator.model;

/** An app as the management API lists it: created implicitly by its first run. */
public record AppRecord(String id, long createdAt, long lastSeenAt, int functionCount) {}
