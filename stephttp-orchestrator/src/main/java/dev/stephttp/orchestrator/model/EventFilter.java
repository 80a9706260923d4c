package dev.stephttp.orchestrator.model;

import java.util.Set;

/**
 * An event query of the management API (docs/management-api.md §8.18), sorted by ID (ULID order).
 *
 * @param names exact names, empty = all
 * @param includeInternal false leaves out names starting with {@code inngest/}
 * @param from inclusive lower bound on receivedAt, or null
 * @param until exclusive upper bound on receivedAt, or null
 * @param afterId keyset: ID of the last event already returned, or null
 */
public record EventFilter(Set<String> names, boolean includeInternal, Long from, Long until,
    boolean desc, String afterId) {
}
