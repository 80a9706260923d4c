package dev.stephttp.orchestrator;

import java.util.List;
import java.util.Set;

/**
 * A run query of the management API: filters, sort and keyset position, rendered as SQL by
 * {@link #where} and {@link #orderBy}.
 *
 * @param statuses allowed statuses, empty = all
 * @param appIds allowed app slugs, empty = all
 * @param fnIds allowed function slugs (with {@code appIds}), empty = all
 * @param from inclusive lower bound on {@code timeField}, or null
 * @param until exclusive upper bound on {@code timeField}, or null
 * @param triggeredBy only runs started by this event ID, or null
 * @param resumedBy only runs with a wait resumed by this event ID, or null
 * @param afterKey keyset: sort key of the last row already returned, or null for the first page
 * @param afterId keyset tiebreak: ID of that row
 */
record RunFilter(Set<RunStatus> statuses, Set<String> appIds, Set<String> fnIds,
    TimeField timeField, Long from, Long until, boolean desc, String triggeredBy,
    String resumedBy, Long afterKey, String afterId) {

  /** Field used for time bounds and ordering (docs/management-api.md §7.5 TimeField). */
  enum TimeField {
    QUEUED_AT("created_at"),
    STARTED_AT("started_at"),
    ENDED_AT("ended_at");

    final String column;

    TimeField(String column) {
      this.column = column;
    }

    /** The field's value in a run (the sort key of a keyset cursor). */
    long of(RunRecord r) {
      return switch (this) {
        case QUEUED_AT -> r.createdAt();
        case STARTED_AT -> r.startedAt();
        case ENDED_AT -> r.endedAt();
      };
    }
  }

  static RunFilter all() {
    return new RunFilter(Set.of(), Set.of(), Set.of(), TimeField.QUEUED_AT, null, null, true,
        null, null, null, null);
  }

  RunFilter withStatuses(Set<RunStatus> s) {
    return new RunFilter(s, appIds, fnIds, timeField, from, until, desc, triggeredBy, resumedBy,
        afterKey, afterId);
  }

  RunFilter withoutTime() {
    return new RunFilter(statuses, appIds, fnIds, TimeField.QUEUED_AT, null, null, desc,
        triggeredBy, resumedBy, null, null);
  }

  RunFilter after(Long key, String id) {
    return new RunFilter(statuses, appIds, fnIds, timeField, from, until, desc, triggeredBy,
        resumedBy, key, id);
  }

  /** SQL form over table alias {@code r}: a WHERE condition; appends its arguments. */
  String where(List<Object> args) {
    StringBuilder sb = new StringBuilder("1=1");
    in(sb, args, "r.status", statuses.stream().map(Enum::name).toList());
    in(sb, args, "r.app_slug", List.copyOf(appIds));
    in(sb, args, "r.fn_slug", List.copyOf(fnIds));
    if (triggeredBy != null) {
      sb.append(" AND r.event_id = ?");
      args.add(triggeredBy);
    }
    if (resumedBy != null) {
      sb.append(" AND r.id IN (SELECT run_id FROM event_resumes WHERE event_id = ?)");
      args.add(resumedBy);
    }
    String col = "r." + timeField.column;
    if (timeField != TimeField.QUEUED_AT) {
      sb.append(" AND ").append(col).append(" > 0");
    }
    if (from != null) {
      sb.append(" AND ").append(col).append(" >= ?");
      args.add(from);
    }
    if (until != null) {
      sb.append(" AND ").append(col).append(" < ?");
      args.add(until);
    }
    if (afterKey != null) {
      String op = desc ? "<" : ">";
      sb.append(" AND (").append(col).append(' ').append(op).append(" ? OR (").append(col)
          .append(" = ? AND r.id ").append(op).append(" ?))");
      args.add(afterKey);
      args.add(afterKey);
      args.add(afterId);
    }
    return sb.toString();
  }

  /** SQL ORDER BY clause: the time field, then the ID, both in the filter's direction. */
  String orderBy() {
    String dir = desc ? " DESC" : " ASC";
    return "r." + timeField.column + dir + ", r.id" + dir;
  }

  private static void in(StringBuilder sb, List<Object> args, String col, List<String> values) {
    if (values.isEmpty()) {
      return;
    }
    sb.append(" AND ").append(col).append(" IN (");
    for (int i = 0; i < values.size(); i++) {
      sb.append(i == 0 ? "?" : ",?");
      args.add(values.get(i));
    }
    sb.append(')');
  }
}
