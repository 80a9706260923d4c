package dev.stephttp.orchestrator;

/** An app as the management API lists it: created implicitly by its first run. */
record AppRecord(String id, long createdAt, long lastSeenAt, int functionCount) {}
