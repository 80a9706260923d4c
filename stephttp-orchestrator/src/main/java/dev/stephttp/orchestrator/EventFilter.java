package dev.stephttp.orchestrator;

import java.util.List;
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
record EventFilter(Set<String> names, boolean includeInternal, Long from, Long until,
    boolean desc, String afterId) {

  /** SQL condition over the events table; appends its arguments. */
  String where(List<Object> args) {
    StringBuilder sb = new StringBuilder("1=1");
    if (!names.isEmpty()) {
      sb.append(" AND name IN (");
      int i = 0;
      for (String n : names) {
        sb.append(i++ == 0 ? "?" : ",?");
        args.add(n);
      }
      sb.append(')');
    }
    if (!includeInternal) {
      sb.append(" AND lower(substr(name, 1, 8)) <> 'inngest/'");
    }
    if (from != null) {
      sb.append(" AND received_at >= ?");
      args.add(from);
    }
    if (until != null) {
      sb.append(" AND received_at < ?");
      args.add(until);
    }
    if (afterId != null) {
      sb.append(desc ? " AND id < ?" : " AND id > ?");
      args.add(afterId);
    }
    return sb.toString();
  }
}
