package dev.stephttp.orchestrator.model;

/** A function (endpoint) of an app; {@code retries} from the latest run that created it. */
public record FunctionRecord(String appId, String id, String name, int retries, long createdAt,
    long lastSeenAt) {}
