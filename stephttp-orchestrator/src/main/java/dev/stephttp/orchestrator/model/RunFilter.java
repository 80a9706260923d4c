package dev.stephttp.orchestrator.model;

import java.util.Set;

/**
 * A run query of the management API: filters, sort and keyset position (the store renders it as
 * SQL).
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
public record RunFilter(Set<RunStatus> statuses, Set<String> appIds, Set<String> fnIds,
    TimeField timeField, Long from, Long until, boolean desc, String triggeredBy,
    String resumedBy, Long afterKey, String afterId) {

  /** Field used for time bounds and ordering (docs/management-api.md §7.5 TimeField). */
  public enum TimeField {
    QUEUED_AT,
    STARTED_AT,
    ENDED_AT;

    /** The field's value in a run (the sort key of a keyset cursor). */
    public long of(RunRecord r) {
      return switch (this) {
        case QUEUED_AT -> r.createdAt();
        case STARTED_AT -> r.startedAt();
        case ENDED_AT -> r.endedAt();
      };
    }
  }

  public static RunFilter all() {
    return new RunFilter(Set.of(), Set.of(), Set.of(), TimeField.QUEUED_AT, null, null, true,
        null, null, null, null);
  }

  public RunFilter withStatuses(Set<RunStatus> s) {
    return new RunFilter(s, appIds, fnIds, timeField, from, until, desc, triggeredBy, resumedBy,
        afterKey, afterId);
  }

  public RunFilter withoutTime() {
    return new RunFilter(statuses, appIds, fnIds, TimeField.QUEUED_AT, null, null, desc,
        triggeredBy, resumedBy, null, null);
  }

  public RunFilter after(Long key, String id) {
    return new RunFilter(statuses, appIds, fnIds, timeField, from, until, desc, triggeredBy,
        resumedBy, key, id);
  }
}
