package dev.stephttp.orchestrator;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * SQLite side of the management API: schema additions (with in-place migration of databases
 * created before them) and the queries behind {@link Tx}'s management methods. Runs on the
 * connection of the owning {@link SqlTx}.
 */
final class SqlMgmt {

  private static final String[] DDL = {
    "CREATE TABLE IF NOT EXISTS step_trace(seq INTEGER PRIMARY KEY AUTOINCREMENT,"
        + " run_id TEXT NOT NULL, step_key TEXT NOT NULL, step_id TEXT, name TEXT, op TEXT,"
        + " status TEXT, attempts INTEGER, max_attempts INTEGER, queued_at INTEGER,"
        + " started_at INTEGER, ended_at INTEGER, error TEXT, wait_reason TEXT, wait TEXT,"
        + " attempt_log TEXT, UNIQUE(run_id, step_key))",
    "CREATE INDEX IF NOT EXISTS step_trace_waiting ON step_trace(wait_reason)"
        + " WHERE wait_reason IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS apps(id TEXT PRIMARY KEY, created_at INTEGER NOT NULL,"
        + " last_seen_at INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS functions(app_id TEXT NOT NULL, id TEXT NOT NULL,"
        + " name TEXT NOT NULL, retries INTEGER NOT NULL, created_at INTEGER NOT NULL,"
        + " last_seen_at INTEGER NOT NULL, PRIMARY KEY(app_id, id))",
    "CREATE TABLE IF NOT EXISTS event_resumes(event_id TEXT NOT NULL, run_id TEXT NOT NULL,"
        + " step_key TEXT NOT NULL, at INTEGER NOT NULL, PRIMARY KEY(event_id, run_id, step_key))",
    // docs/management-api.md §12: keyset indexes for the run lists, active counts, event runs
    "CREATE INDEX IF NOT EXISTS runs_created ON runs(created_at, id)",
    "CREATE INDEX IF NOT EXISTS runs_started ON runs(started_at, id)",
    "CREATE INDEX IF NOT EXISTS runs_ended ON runs(ended_at, id)",
    "CREATE INDEX IF NOT EXISTS runs_fn ON runs(app_slug, fn_slug, created_at)",
    "CREATE INDEX IF NOT EXISTS runs_active ON runs(status) WHERE status IN ('QUEUED','RUNNING')",
    "CREATE INDEX IF NOT EXISTS runs_event ON runs(event_id) WHERE event_id IS NOT NULL",
    "CREATE UNIQUE INDEX IF NOT EXISTS events_api_key ON events(api_key)"
        + " WHERE api_key IS NOT NULL",
  };

  /** Columns added after the first schema: table, column, type. */
  private static final String[][] COLUMNS = {
    {"runs", "app_slug", "TEXT"}, {"runs", "fn_slug", "TEXT"},
    {"runs", "started_at", "INTEGER NOT NULL DEFAULT 0"}, {"runs", "original_run_id", "TEXT"},
    {"runs", "event_id", "TEXT"}, {"events", "api_key", "TEXT"},
    {"events", "fingerprint", "TEXT"}, {"events", "idem_key", "TEXT"},
  };

  private final SqlTx tx;

  SqlMgmt(SqlTx tx) {
    this.tx = tx;
  }

  /** Adds missing columns, tables and indexes (after {@link SqlTx#SCHEMA}). */
  static void migrate(Connection conn) throws SQLException {
    try (Statement s = conn.createStatement()) {
      for (String[] c : COLUMNS) {
        Set<String> existing = new HashSet<>();
        try (ResultSet rs = s.executeQuery("PRAGMA table_info(" + c[0] + ")")) {
          while (rs.next()) {
            existing.add(rs.getString("name"));
          }
        }
        if (!existing.contains(c[1])) {
          s.execute("ALTER TABLE " + c[0] + " ADD COLUMN " + c[1] + " " + c[2]);
          if (c[1].equals("app_slug") || c[1].equals("fn_slug")) {
            s.execute("UPDATE runs SET " + c[1] + " = " + (c[1].equals("app_slug") ? "app_id"
                : "fn_id"));
          } else if (c[1].equals("started_at")) {
            s.execute("UPDATE runs SET started_at = created_at");
          }
        }
      }
      for (String ddl : DDL) {
        s.execute(ddl);
      }
    }
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
    return first(tx.query("SELECT * FROM step_trace WHERE run_id = ? AND step_key = ?",
        SqlMgmt::mapTrace, runId, stepKey));
  }

  void putStepTrace(StepTrace t) {
    int n = tx.update("UPDATE step_trace SET step_id = ?, name = ?, op = ?, status = ?,"
            + " attempts = ?, max_attempts = ?, queued_at = ?, started_at = ?, ended_at = ?,"
            + " error = ?, wait_reason = ?, wait = ?, attempt_log = ?"
            + " WHERE run_id = ? AND step_key = ?",
        t.stepId(), t.name(), t.op(), t.status(), t.attempts(), t.maxAttempts(), t.queuedAt(),
        t.startedAt(), t.endedAt(), t.error(), t.waitReason(), t.waitJson(), t.attemptLog(),
        t.runId(), t.stepKey());
    if (n == 0) {
      tx.update("INSERT INTO step_trace(run_id, step_key, step_id, name, op, status, attempts,"
              + " max_attempts, queued_at, started_at, ended_at, error, wait_reason, wait,"
              + " attempt_log) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
          t.runId(), t.stepKey(), t.stepId(), t.name(), t.op(), t.status(), t.attempts(),
          t.maxAttempts(), t.queuedAt(), t.startedAt(), t.endedAt(), t.error(), t.waitReason(),
          t.waitJson(), t.attemptLog());
    }
  }

  List<StepTrace> stepTraces(String runId) {
    return tx.query("SELECT * FROM step_trace WHERE run_id = ? ORDER BY seq", SqlMgmt::mapTrace,
        runId);
  }

  List<RunRecord> runs(RunFilter f, int limit) {
    List<Object> args = new ArrayList<>();
    String sql = "SELECT * FROM runs r WHERE " + f.where(args) + " ORDER BY " + f.orderBy()
        + " LIMIT " + limit;
    return tx.queryFresh(sql, SqlTx::mapRun, args.toArray());
  }

  Map<RunStatus, Long> countRuns(RunFilter f) {
    List<Object> args = new ArrayList<>();
    Map<RunStatus, Long> out = new EnumMap<>(RunStatus.class);
    tx.queryFresh("SELECT r.status, COUNT(*) FROM runs r WHERE " + f.where(args)
        + " GROUP BY r.status", rs -> out.put(RunStatus.valueOf(rs.getString(1)), rs.getLong(2)),
        args.toArray());
    return out;
  }

  Map<String, Long> countWaits(RunFilter f) {
    List<Object> args = new ArrayList<>();
    String where = f.withStatuses(Set.of(RunStatus.RUNNING)).withoutTime().where(args);
    Map<String, Long> out = new LinkedHashMap<>();
    tx.queryFresh("SELECT t.wait_reason, COUNT(*) FROM step_trace t JOIN runs r ON r.id = t.run_id"
        + " WHERE t.wait_reason IS NOT NULL AND " + where + " GROUP BY t.wait_reason",
        rs -> out.put(rs.getString(1), rs.getLong(2)), args.toArray());
    return out;
  }

  void touchFunction(FunctionRecord fn) {
    tx.update("INSERT INTO apps(id, created_at, last_seen_at) VALUES (?,?,?) ON CONFLICT(id)"
        + " DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)",
        fn.appId(), fn.createdAt(), fn.lastSeenAt());
    tx.update("INSERT INTO functions(app_id, id, name, retries, created_at, last_seen_at)"
        + " VALUES (?,?,?,?,?,?) ON CONFLICT(app_id, id) DO UPDATE SET retries ="
        + " excluded.retries, last_seen_at = max(last_seen_at, excluded.last_seen_at)",
        fn.appId(), fn.id(), fn.name(), fn.retries(), fn.createdAt(), fn.lastSeenAt());
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
    return tx.queryFresh("SELECT * FROM events WHERE " + f.where(args) + " ORDER BY id "
        + (f.desc() ? "DESC" : "ASC") + " LIMIT " + limit, SqlMgmt::mapEvent, args.toArray());
  }
}
