package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.AppRecord;
import dev.stephttp.orchestrator.model.EventFilter;
import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.RunFilter;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StepTrace;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SQLite side of the management API: the queries behind {@link Tx}'s management methods. Runs on the
 * connection of the owning transaction.
 */
final class SqlMgmt {

  private final Sql tx;

  SqlMgmt(Sql tx) {
    this.tx = tx;
  }

  /** The trace columns of a step row ({@code step_trace} also holds the step's value). */
  static final String TRACE_COLUMNS = "run_id, step_key, step_id, name, op, status, attempts,"
      + " max_attempts, queued_at, started_at, ended_at, error, wait_reason, wait, attempt_log";

  /** The trace of a step row, or null for a bare row (a value the engine has not traced). */
  static StepTrace mapTraceOrNull(ResultSet rs) throws SQLException {
    return rs.getString("status") == null ? null : mapTrace(rs);
  }

  private static StepTrace mapTrace(ResultSet rs) throws SQLException {
    return new StepTrace(rs.getString("run_id"), rs.getString("step_key"),
        rs.getString("step_id"), rs.getString("name"), rs.getString("op"),
        rs.getString("status"), rs.getInt("attempts"), rs.getInt("max_attempts"),
        rs.getLong("queued_at"), rs.getLong("started_at"), rs.getLong("ended_at"),
        rs.getString("error"), rs.getString("wait_reason"), rs.getString("wait"),
        rs.getString("attempt_log"));
  }

  private static EventRecord mapEvent(ResultSet rs) throws SQLException {
    String dedup = rs.getString("dedup_key");
    String idem = rs.getString("idem_key");
    return new EventRecord(rs.getString("id"), rs.getString("name"), rs.getString("body"),
        rs.getLong("received_at"), idem != null ? idem : dedup, rs.getString("api_key"),
        rs.getString("fingerprint"));
  }

  private static FunctionRecord mapFunction(ResultSet rs) throws SQLException {
    return new FunctionRecord(rs.getString("app_id"), rs.getString("id"), rs.getString("name"),
        rs.getInt("retries"), rs.getLong("created_at"), rs.getLong("last_seen_at"));
  }

  private static AppRecord mapApp(ResultSet rs) throws SQLException {
    return new AppRecord(rs.getString("id"), rs.getLong("created_at"),
        rs.getLong("last_seen_at"), rs.getInt("n"));
  }

  private static <T> T first(List<T> rows) {
    return rows.isEmpty() ? null : rows.get(0);
  }

  StepTrace stepTrace(String runId, String stepKey) {
    return first(tx.query("SELECT " + TRACE_COLUMNS + " FROM step_trace WHERE run_id = ?"
        + " AND step_key = ? AND status IS NOT NULL", SqlMgmt::mapTrace, runId, stepKey));
  }

  List<StepTrace> stepTraces(String runId) {
    return tx.query("SELECT " + TRACE_COLUMNS + " FROM step_trace WHERE run_id = ?"
        + " AND status IS NOT NULL ORDER BY seq", SqlMgmt::mapTrace, runId);
  }

  List<RunRecord> runs(RunFilter f, int limit) {
    List<Object> args = new ArrayList<>();
    String sql = "SELECT * FROM runs r WHERE " + where(f, args) + " ORDER BY " + orderBy(f)
        + " LIMIT " + limit;
    return tx.queryFresh(sql, Sql::mapRun, args.toArray());
  }

  Map<RunStatus, Long> countRuns(RunFilter f) {
    List<Object> args = new ArrayList<>();
    Map<RunStatus, Long> out = new EnumMap<>(RunStatus.class);
    tx.queryFresh("SELECT r.status, COUNT(*) FROM runs r WHERE " + where(f, args)
        + " GROUP BY r.status", rs -> out.put(RunStatus.valueOf(rs.getString(1)), rs.getLong(2)),
        args.toArray());
    return out;
  }

  Map<String, Long> countWaits(RunFilter f) {
    List<Object> args = new ArrayList<>();
    String where = where(f.withStatuses(Set.of(RunStatus.RUNNING)).withoutTime(), args);
    Map<String, Long> out = new LinkedHashMap<>();
    tx.queryFresh("SELECT t.wait_reason, COUNT(*) FROM step_trace t JOIN runs r ON r.id = t.run_id"
        + " WHERE t.wait_reason IS NOT NULL AND " + where + " GROUP BY t.wait_reason",
        rs -> out.put(rs.getString(1), rs.getLong(2)), args.toArray());
    return out;
  }

  private static final String APP_SELECT = "SELECT a.id, a.created_at, a.last_seen_at,"
      + " (SELECT COUNT(*) FROM functions f WHERE f.app_id = a.id) AS n FROM apps a";

  List<AppRecord> apps(String afterId, int limit) {
    return afterId == null
        ? tx.query(APP_SELECT + " ORDER BY a.id LIMIT ?", SqlMgmt::mapApp, limit)
        : tx.query(APP_SELECT + " WHERE a.id > ? ORDER BY a.id LIMIT ?", SqlMgmt::mapApp,
            afterId, limit);
  }

  AppRecord app(String id) {
    return first(tx.query(APP_SELECT + " WHERE a.id = ?", SqlMgmt::mapApp, id));
  }

  List<FunctionRecord> functions(String appId, String afterId, int limit) {
    return tx.query("SELECT * FROM functions WHERE app_id = ? AND id > ? ORDER BY id LIMIT ?",
        SqlMgmt::mapFunction, appId, afterId == null ? "" : afterId, limit);
  }

  FunctionRecord function(String appId, String fnId) {
    return first(tx.query("SELECT * FROM functions WHERE app_id = ? AND id = ?",
        SqlMgmt::mapFunction, appId, fnId));
  }

  boolean insertEvent(EventRecord e) {
    boolean api = e.apiKey() != null;
    return tx.update("INSERT OR IGNORE INTO events(id, dedup_key, name, body, received_at,"
        + " api_key, fingerprint, idem_key) VALUES (?,?,?,?,?,?,?,?)", e.id(),
        api ? null : e.idempotencyKey(), e.name(), e.json(), e.receivedAt(), e.apiKey(),
        e.fingerprint(), e.idempotencyKey()) == 1;
  }

  EventRecord event(String id) {
    return first(tx.query("SELECT * FROM events WHERE id = ?", SqlMgmt::mapEvent, id));
  }

  EventRecord eventByApiKey(String key) {
    return first(tx.query("SELECT * FROM events WHERE api_key = ?", SqlMgmt::mapEvent, key));
  }

  List<EventRecord> events(EventFilter f, int limit) {
    List<Object> args = new ArrayList<>();
    return tx.queryFresh("SELECT * FROM events WHERE " + where(f, args) + " ORDER BY id "
        + (f.desc() ? "DESC" : "ASC") + " LIMIT " + limit, SqlMgmt::mapEvent, args.toArray());
  }

  // ---- the SQL form of the management API's queries ----

  private static String column(RunFilter.TimeField field) {
    return switch (field) {
      case QUEUED_AT -> "created_at";
      case STARTED_AT -> "started_at";
      case ENDED_AT -> "ended_at";
    };
  }

  /** SQL form over table alias {@code r}: a WHERE condition; appends its arguments. */
  private static String where(RunFilter f, List<Object> args) {
    StringBuilder sb = new StringBuilder("1=1");
    in(sb, args, "r.status", f.statuses().stream().map(Enum::name).toList());
    in(sb, args, "r.app_slug", List.copyOf(f.appIds()));
    in(sb, args, "r.fn_slug", List.copyOf(f.fnIds()));
    if (f.triggeredBy() != null) {
      sb.append(" AND r.event_id = ?");
      args.add(f.triggeredBy());
    }
    if (f.resumedBy() != null) {
      sb.append(" AND r.id IN (SELECT run_id FROM event_resumes WHERE event_id = ?)");
      args.add(f.resumedBy());
    }
    String col = "r." + column(f.timeField());
    if (f.timeField() != RunFilter.TimeField.QUEUED_AT) {
      sb.append(" AND ").append(col).append(" > 0");
    }
    if (f.from() != null) {
      sb.append(" AND ").append(col).append(" >= ?");
      args.add(f.from());
    }
    if (f.until() != null) {
      sb.append(" AND ").append(col).append(" < ?");
      args.add(f.until());
    }
    if (f.afterKey() != null) {
      String op = f.desc() ? "<" : ">";
      sb.append(" AND (").append(col).append(' ').append(op).append(" ? OR (").append(col)
          .append(" = ? AND r.id ").append(op).append(" ?))");
      args.add(f.afterKey());
      args.add(f.afterKey());
      args.add(f.afterId());
    }
    return sb.toString();
  }

  /** SQL ORDER BY clause: the time field, then the ID, both in the filter's direction. */
  private static String orderBy(RunFilter f) {
    String dir = f.desc() ? " DESC" : " ASC";
    return "r." + column(f.timeField()) + dir + ", r.id" + dir;
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

  /** SQL condition over the events table; appends its arguments. */
  private static String where(EventFilter f, List<Object> args) {
    StringBuilder sb = new StringBuilder("1=1");
    if (!f.names().isEmpty()) {
      sb.append(" AND name IN (");
      int i = 0;
      for (String n : f.names()) {
        sb.append(i++ == 0 ? "?" : ",?");
        args.add(n);
      }
      sb.append(')');
    }
    if (!f.includeInternal()) {
      sb.append(" AND lower(substr(name, 1, 8)) <> 'inngest/'");
    }
    if (f.from() != null) {
      sb.append(" AND received_at >= ?");
      args.add(f.from());
    }
    if (f.until() != null) {
      sb.append(" AND received_at < ?");
      args.add(f.until());
    }
    if (f.afterId() != null) {
      sb.append(f.desc() ? " AND id < ?" : " AND id > ?");
      args.add(f.afterId());
    }
    return sb.toString();
  }
}
