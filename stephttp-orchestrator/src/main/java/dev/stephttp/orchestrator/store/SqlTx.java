package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.AppRecord;
import dev.stephttp.orchestrator.model.EventFilter;
import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.Pause;
import dev.stephttp.orchestrator.model.RunFilter;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StepTrace;
import dev.stephttp.orchestrator.model.WorkItem;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** {@link Tx} over one JDBC connection to SQLite. Confined to the thread owning the connection. */
final class SqlTx implements Tx, Sql {

  private final Connection conn;
  private final Map<String, PreparedStatement> cache = new HashMap<>();
  private final SqlMgmt mgmt = new SqlMgmt(this);
  private List<Runnable> callbacks = new ArrayList<>();
  private Map<String, RunRecord> runCache; // null: no caching (read connection)

  SqlTx(Connection conn) {
    this.conn = conn;
  }

  List<Runnable> takeCallbacks() {
    List<Runnable> out = callbacks;
    callbacks = new ArrayList<>();
    return out;
  }

  private PreparedStatement ps(String sql) throws SQLException {
    PreparedStatement p = cache.get(sql);
    if (p == null) {
      p = conn.prepareStatement(sql);
      cache.put(sql, p);
    }
    p.clearParameters();
    return p;
  }

  private static void bind(PreparedStatement p, Object... args) throws SQLException {
    for (int i = 0; i < args.length; i++) {
      Object a = args[i];
      if (a == null) {
        p.setNull(i + 1, Types.NULL);
      } else if (a instanceof byte[] b) {
        p.setBytes(i + 1, b);
      } else if (a instanceof Long l) {
        p.setLong(i + 1, l);
      } else if (a instanceof Integer n) {
        p.setLong(i + 1, n);
      } else if (a instanceof Boolean b) {
        p.setLong(i + 1, b ? 1 : 0);
      } else {
        p.setString(i + 1, a.toString());
      }
    }
  }

  @Override
  public int update(String sql, Object... args) {
    if (runCache != null && sql.contains("runs")) {
      runCache.clear(); // any other write to runs invalidates the task's cached records
    }
    try {
      PreparedStatement p = ps(sql);
      bind(p, args);
      return p.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("update failed: " + sql, e);
    }
  }

  private long insertReturningId(String sql, Object... args) {
    update(sql, args);
    try (ResultSet rs = ps("SELECT last_insert_rowid()").executeQuery()) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new StoreException("rowid failed", e);
    }
  }

  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    try {
      PreparedStatement p = ps(sql);
      bind(p, args);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("query failed: " + sql, e);
    }
  }

  @Override
  public <T> List<T> queryFresh(String sql, RowMapper<T> mapper, Object... args) {
    try (PreparedStatement p = conn.prepareStatement(sql)) {
      bind(p, args);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = p.executeQuery()) {
        while (rs.next()) {
          out.add(mapper.map(rs));
        }
      }
      return out;
    } catch (SQLException e) {
      throw new StoreException("query failed", e);
    }
  }

  private static WorkItem mapWork(ResultSet rs) throws SQLException {
    return new WorkItem(rs.getLong("id"), rs.getString("run_id"),
        WorkItem.Kind.valueOf(rs.getString("kind")), rs.getString("step_id"),
        rs.getString("target_step"), rs.getInt("attempt"), rs.getLong("due_at"),
        rs.getLong("pause_id"));
  }

  private static Pause mapPause(ResultSet rs) throws SQLException {
    return new Pause(rs.getLong("id"), rs.getString("run_id"), rs.getString("step_id"),
        rs.getString("event_name"), rs.getString("expr"), rs.getString("eq_path"),
        rs.getString("eq_value"), rs.getLong("expires_at"));
  }

  @Override
  public RunRecord run(String runId) {
    RunRecord cached = runCache == null ? null : runCache.get(runId);
    if (cached != null) {
      return cached;
    }
    List<RunRecord> r = query("SELECT * FROM runs WHERE id = ?", Sql::mapRun, runId);
    RunRecord found = r.isEmpty() ? null : r.get(0);
    if (found != null && runCache != null) {
      runCache.put(runId, found);
    }
    return found;
  }

  /**
   * Write connection only: keeps the runs read or written by the current task in memory, so
   * that the engine's repeated {@code run(id)} calls within one write do not re-query and
   * re-map the row (performance; BENCHMARKS.md). Cleared by {@link #endTask()}.
   */
  void cacheRuns() {
    runCache = new HashMap<>();
  }

  /** The current write task ended (committed to its savepoint or rolled back). */
  void endTask() {
    if (runCache != null) {
      runCache.clear();
    }
  }

  @Override
  public void insertRun(RunRecord r) {
    update("INSERT INTO runs(id, status, app_id, fn_id, family, event, method, url, content_type,"
            + " body, request_version, retries, force_plan, state_bytes, created_at, ended_at,"
            + " output, app_slug, fn_slug, started_at, original_run_id, event_id)"
            + " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        r.id(), r.status().name(), r.appId(), r.fnId(), r.family().name(), r.event(), r.method(),
        r.url(), r.contentType(), r.body(), r.requestVersion(), r.retries(), r.forcePlan(),
        r.stateBytes(), r.createdAt(), r.endedAt(), r.output(), r.appSlug(), r.fnSlug(),
        r.startedAt(), r.originalRunId(), r.eventId());
    if (runCache != null) {
      runCache.put(r.id(), r);
    }
  }

  @Override
  public void updateRun(RunRecord r) {
    update("UPDATE runs SET status = ?, force_plan = ?, state_bytes = ?, ended_at = ?, output = ?,"
            + " started_at = ? WHERE id = ?",
        r.status().name(), r.forcePlan(), r.stateBytes(), r.endedAt(), r.output(), r.startedAt(),
        r.id());
    if (runCache != null) {
      runCache.put(r.id(), r);
    }
  }

  @Override
  public boolean putStep(String runId, String stepId, String valueJson) {
    return update("INSERT OR IGNORE INTO steps(run_id, step_id, value) VALUES (?,?,?)",
        runId, stepId, valueJson) == 1;
  }

  @Override
  public Map<String, String> steps(String runId) {
    Map<String, String> out = new LinkedHashMap<>();
    query("SELECT step_id, value FROM steps WHERE run_id = ? ORDER BY seq",
        rs -> out.put(rs.getString(1), rs.getString(2)), runId);
    return out;
  }

  @Override
  public WorkItem insertWork(WorkItem w) {
    long id = insertReturningId("INSERT INTO work(run_id, kind, step_id, target_step, attempt,"
            + " due_at, pause_id) VALUES (?,?,?,?,?,?,?)",
        w.runId(), w.kind().name(), w.stepId(), w.targetStep(), w.attempt(), w.dueAt(),
        w.pauseId());
    return w.withId(id);
  }

  @Override
  public WorkItem work(long id) {
    List<WorkItem> r = query("SELECT * FROM work WHERE id = ?", SqlTx::mapWork, id);
    return r.isEmpty() ? null : r.get(0);
  }

  @Override
  public boolean deleteWork(long id) {
    return update("DELETE FROM work WHERE id = ?", id) == 1;
  }

  @Override
  public List<WorkItem> workForRun(String runId) {
    return query("SELECT * FROM work WHERE run_id = ? ORDER BY id", SqlTx::mapWork, runId);
  }

  @Override
  public void deleteWorkForRun(String runId) {
    update("DELETE FROM work WHERE run_id = ?", runId);
  }

  @Override
  public void setLease(long workId, Long leaseUntil) {
    update("UPDATE work SET lease_until = ? WHERE id = ?", leaseUntil, workId);
  }

  @Override
  public Pause insertPause(Pause p) {
    long id = insertReturningId("INSERT INTO pauses(run_id, step_id, event_name, expr, eq_path,"
            + " eq_value, expires_at) VALUES (?,?,?,?,?,?,?)",
        p.runId(), p.stepId(), p.eventName(), p.expr(), p.eqPath(), p.eqValue(), p.expiresAt());
    return p.withId(id);
  }

  @Override
  public Pause pause(long id) {
    List<Pause> r = query("SELECT * FROM pauses WHERE id = ?", SqlTx::mapPause, id);
    return r.isEmpty() ? null : r.get(0);
  }

  @Override
  public boolean deletePause(long id) {
    return update("DELETE FROM pauses WHERE id = ?", id) == 1;
  }

  @Override
  public void deletePausesForRun(String runId) {
    update("DELETE FROM pauses WHERE run_id = ?", runId);
  }

  @Override
  public List<Pause> pauseCandidates(String eventName, Function<String, String> eqKeyOf) {
    List<Pause> out = new ArrayList<>(query(
        "SELECT * FROM pauses WHERE event_name = ? AND eq_path IS NULL ORDER BY id",
        SqlTx::mapPause, eventName));
    for (String path : indexedPaths(eventName)) {
      String key = eqKeyOf.apply(path);
      if (key != null) {
        out.addAll(query("SELECT * FROM pauses WHERE event_name = ? AND eq_path = ?"
            + " AND eq_value = ? ORDER BY id", SqlTx::mapPause, eventName, path, key));
      }
    }
    out.sort((a, b) -> Long.compare(a.id(), b.id()));
    return out;
  }

  /**
   * The distinct equality paths of an event's pauses, found by seeking the index from one path
   * to the next: {@code SELECT DISTINCT} walked every index entry of the event name (about
   * 10 ms with 100,000 waits, inside the event's write transaction; BENCHMARKS.md).
   */
  private List<String> indexedPaths(String eventName) {
    List<String> paths = new ArrayList<>();
    List<String> next = query("SELECT eq_path FROM pauses WHERE event_name = ? AND eq_path >= ''"
        + " ORDER BY eq_path LIMIT 1", rs -> rs.getString(1), eventName);
    while (!next.isEmpty()) {
      String path = next.get(0);
      paths.add(path);
      next = query("SELECT eq_path FROM pauses WHERE event_name = ? AND eq_path > ?"
          + " ORDER BY eq_path LIMIT 1", rs -> rs.getString(1), eventName, path);
    }
    return paths;
  }

  @Override
  public boolean insertEvent(String id, String dedupKey, String name, String json,
      long receivedAt) {
    return update("INSERT OR IGNORE INTO events(id, dedup_key, name, body, received_at)"
        + " VALUES (?,?,?,?,?)", id, dedupKey, name, json, receivedAt) == 1;
  }

  @Override
  public Map<String, Long> counts() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (String t : new String[] {"runs", "steps", "events", "pauses", "work"}) {
      out.put(t, query("SELECT COUNT(*) FROM " + t, rs -> rs.getLong(1)).get(0));
    }
    return out;
  }

  @Override
  public List<WorkItem> allWork() {
    return query("SELECT * FROM work ORDER BY due_at, id", SqlTx::mapWork);
  }

  @Override
  public Map<Long, Long> leases() {
    Map<Long, Long> out = new LinkedHashMap<>();
    query("SELECT id, lease_until FROM work WHERE lease_until IS NOT NULL",
        rs -> out.put(rs.getLong(1), rs.getLong(2)));
    return out;
  }

  @Override
  public void afterCommit(Runnable action) {
    callbacks.add(action);
  }

  // ---- management API: SQL in SqlMgmt ----

  @Override
  public StepTrace stepTrace(String runId, String stepKey) {
    return mgmt.stepTrace(runId, stepKey);
  }

  @Override
  public void putStepTrace(StepTrace trace) {
    mgmt.putStepTrace(trace);
  }

  @Override
  public List<StepTrace> stepTraces(String runId) {
    return mgmt.stepTraces(runId);
  }

  @Override
  public List<RunRecord> runs(RunFilter filter, int limit) {
    return mgmt.runs(filter, limit);
  }

  @Override
  public Map<RunStatus, Long> countRuns(RunFilter filter) {
    return mgmt.countRuns(filter);
  }

  @Override
  public Map<String, Long> countWaits(RunFilter filter) {
    return mgmt.countWaits(filter);
  }

  @Override
  public void touchFunction(FunctionRecord fn) {
    mgmt.touchFunction(fn);
  }

  @Override
  public List<AppRecord> apps(String afterId, int limit) {
    return mgmt.apps(afterId, limit);
  }

  @Override
  public AppRecord app(String id) {
    return mgmt.app(id);
  }

  @Override
  public List<FunctionRecord> functions(String appId, String afterId, int limit) {
    return mgmt.functions(appId, afterId, limit);
  }

  @Override
  public FunctionRecord function(String appId, String fnId) {
    return mgmt.function(appId, fnId);
  }

  @Override
  public boolean insertEventRecord(EventRecord event) {
    return mgmt.insertEvent(event);
  }

  @Override
  public EventRecord event(String id) {
    return mgmt.event(id);
  }

  @Override
  public EventRecord eventByApiKey(String key) {
    return mgmt.eventByApiKey(key);
  }

  @Override
  public void clearApiKey(String eventId) {
    update("UPDATE events SET api_key = NULL WHERE id = ?", eventId);
  }

  @Override
  public List<EventRecord> events(EventFilter filter, int limit) {
    return mgmt.events(filter, limit);
  }

  @Override
  public void linkResumed(String eventId, String runId, String stepKey, long at) {
    update("INSERT OR IGNORE INTO event_resumes(event_id, run_id, step_key, at) VALUES (?,?,?,?)",
        eventId, runId, stepKey, at);
  }

  byte[] meta(String key) {
    List<byte[]> r = query("SELECT v FROM meta WHERE k = ?", rs -> rs.getBytes(1), key);
    return r.isEmpty() ? null : r.get(0);
  }

  void putMetaIfAbsent(String key, byte[] value) {
    update("INSERT OR IGNORE INTO meta(k, v) VALUES (?, ?)", key, value);
  }

  void closeStatements() {
    for (PreparedStatement p : cache.values()) {
      try {
        p.close();
      } catch (SQLException ignored) {
        // closing anyway
      }
    }
    cache.clear();
  }
}
