package dev.stephttp.orchestrator;

/** A function (endpoint) of an app; {@code retries} from the latest run that created it. */
record FunctionRecord(String appId, String id, String name, int retries, long createdAt,
    long lastSeenAt) {}
