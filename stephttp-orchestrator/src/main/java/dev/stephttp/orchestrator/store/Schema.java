package dev.stephttp.orchestrator.store;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;

/**
 * The database schema and its migrations, numbered by SQLite's {@code user_version}: version
 * {@code n} is reached by running migration {@code n} over version {@code n - 1}, each in one
 * transaction. A database of a newer orchestrator (a higher version) is refused rather than
 * misread.
 *
 * <ul>
 *   <li>1: the core tables, and the management API's tables, columns and indexes. Databases
 *       written before versioning (version 0 with tables) are brought to it in place: its
 *       statements only add what is missing.
 *   <li>2: signal waits: the pauses' {@code signal} column, unique among the waits a signal
 *       resumes.
 *   <li>3: one trail of step records: a step's memoized value moves into its {@code step_trace}
 *       row ({@code value}, NULL until the step has one); values of steps without a trace become
 *       bare rows (run, step key and value only) and the {@code steps} table is dropped.
 * </ul>
 */
final class Schema {
  /** The version this code reads and writes. */
  static final int CURRENT = 3;

  /** The core tables: runs, steps, events, pauses, work and meta. */
  private static final String[] CORE = {
    "CREATE TABLE IF NOT EXISTS meta(k TEXT PRIMARY KEY, v BLOB NOT NULL)",
    "CREATE TABLE IF NOT EXISTS runs(id TEXT PRIMARY KEY, status TEXT NOT NULL, app_id TEXT,"
        + " fn_id TEXT, family TEXT NOT NULL, event TEXT NOT NULL, method TEXT, url TEXT,"
        + " content_type TEXT, body BLOB, request_version INTEGER, retries INTEGER,"
        + " force_plan INTEGER, state_bytes INTEGER, created_at INTEGER, ended_at INTEGER,"
        + " output TEXT, app_slug TEXT, fn_slug TEXT, started_at INTEGER NOT NULL DEFAULT 0,"
        + " original_run_id TEXT, event_id TEXT)",
    "CREATE TABLE IF NOT EXISTS steps(run_id TEXT NOT NULL, step_id TEXT NOT NULL,"
        + " value TEXT NOT NULL, seq INTEGER PRIMARY KEY AUTOINCREMENT, UNIQUE(run_id, step_id))",
    "CREATE TABLE IF NOT EXISTS events(id TEXT PRIMARY KEY, dedup_key TEXT UNIQUE,"
        + " name TEXT NOT NULL, body TEXT NOT NULL, received_at INTEGER NOT NULL, api_key TEXT,"
        + " fingerprint TEXT)",
    "CREATE TABLE IF NOT EXISTS pauses(id INTEGER PRIMARY KEY AUTOINCREMENT,"
        + " run_id TEXT NOT NULL, step_id TEXT NOT NULL, event_name TEXT NOT NULL, expr TEXT,"
        + " eq_path TEXT, eq_value TEXT, expires_at INTEGER NOT NULL)",
    // docs/protocol.md §10.2 + issue: matching must not scan every pause -> index the equality.
    "CREATE INDEX IF NOT EXISTS pauses_match ON pauses(event_name, eq_path, eq_value)",
    "CREATE INDEX IF NOT EXISTS pauses_run ON pauses(run_id)",
    "CREATE TABLE IF NOT EXISTS work(id INTEGER PRIMARY KEY AUTOINCREMENT, run_id TEXT NOT NULL,"
        + " kind TEXT NOT NULL, step_id TEXT, target_step TEXT, attempt INTEGER NOT NULL,"
        + " due_at INTEGER NOT NULL, pause_id INTEGER NOT NULL, lease_until INTEGER)",
    "CREATE INDEX IF NOT EXISTS work_run ON work(run_id)",
  };

  /** The management API's tables and indexes (docs/management-api.md §12). */
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

  /** Migration 2: the signal a wait is for; one wait per signal resumes (docs/protocol.md §10.3). */
  private static final String[] SIGNALS = {
    "ALTER TABLE pauses ADD COLUMN signal TEXT",
    "CREATE UNIQUE INDEX pauses_signal ON pauses(signal) WHERE signal IS NOT NULL",
  };

  /**
   * Migration 3: the step values join their trace rows (the upsert keeps a traced step's row and
   * position; {@code WHERE true} parses the upsert after a {@code SELECT}).
   */
  private static final String[] ONE_TRAIL = {
    "ALTER TABLE step_trace ADD COLUMN value TEXT",
    "INSERT INTO step_trace(run_id, step_key, value) SELECT run_id, step_id, value FROM steps"
        + " WHERE true ORDER BY seq ON CONFLICT(run_id, step_key) DO UPDATE"
        + " SET value = excluded.value",
    "DROP TABLE steps",
  };

  /** Columns added after the first schema: table, column, type. */
  private static final String[][] COLUMNS = {
    {"runs", "app_slug", "TEXT"}, {"runs", "fn_slug", "TEXT"},
    {"runs", "started_at", "INTEGER NOT NULL DEFAULT 0"}, {"runs", "original_run_id", "TEXT"},
    {"runs", "event_id", "TEXT"}, {"events", "api_key", "TEXT"},
    {"events", "fingerprint", "TEXT"}, {"events", "idem_key", "TEXT"},
  };

  private Schema() {}

  /** Brings the database to {@link #CURRENT}; on a database of a newer version, fails. */
  static void migrate(Connection conn) throws SQLException {
    boolean auto = conn.getAutoCommit();
    conn.setAutoCommit(false);
    try (Statement s = conn.createStatement()) {
      int version;
      try (ResultSet rs = s.executeQuery("PRAGMA user_version")) {
        version = rs.next() ? rs.getInt(1) : 0;
      }
      if (version > CURRENT) {
        throw new StoreException("the database has schema version " + version + ", newer than"
            + " the " + CURRENT + " of this orchestrator: upgrade the orchestrator", null);
      }
      if (version < 1) {
        for (String ddl : CORE) {
          s.execute(ddl);
        }
        addManagementSchema(conn);
      }
      if (version < 2) {
        for (String ddl : SIGNALS) {
          s.execute(ddl);
        }
      }
      if (version < 3) {
        for (String ddl : ONE_TRAIL) {
          s.execute(ddl);
        }
      }
      if (version < CURRENT) {
        s.execute("PRAGMA user_version = " + CURRENT);
      }
      conn.commit();
    } catch (SQLException | RuntimeException e) {
      conn.rollback();
      throw e;
    } finally {
      conn.setAutoCommit(auto);
    }
  }

  /** Version 1 over a database of the unversioned schema: missing columns, tables, indexes. */
  private static void addManagementSchema(Connection conn) throws SQLException {
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
}
