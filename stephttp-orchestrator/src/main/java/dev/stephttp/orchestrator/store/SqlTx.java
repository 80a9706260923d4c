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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/** {@link Tx} over one JDBC connection to SQLite. Confined to the thread owning the connection. */
final class SqlTx implements Tx, Sql {

  private final Connection conn;
  private final Map<String, PreparedStatement> cache = new HashMap<>();
  private final SqlMgmt mgmt = new SqlMgmt(this);
  private List<Runnable> callbacks = new ArrayList<>();
  /** The running runs' state (write connection only; null on the read connection). */
  private final LiveRuns live;
  /** Writes of the current request held back to be sent as a few statements ({@link #flush}). */
  private final Map<String, RunRecord> pendingRuns = new LinkedHashMap<>();
  private final Set<String> insertedRuns = new HashSet<>();
  private final List<String[]> pendingSteps = new ArrayList<>();
  private final Map<String, StepTrace> pendingTraces = new LinkedHashMap<>();
  private long statements;

  /**
   * @param writer whether this is the write connection: it keeps the running runs' state
   *     ({@link LiveRuns}) and holds back a request's writes until its end
   */
  SqlTx(Connection conn, boolean writer) {
    this.conn = conn;
    this.live = writer ? new LiveRuns() : null;
  }

  /** SQL statements executed on this connection so far (savepoints and commits' own aside). */
  long statements() {
    return statements;
  }

  List<Runnable> takeCallbacks() {
    List<Runnable> out = callbacks;
    callbacks = new ArrayList<>();
    return out;
  }

  private PreparedStatement ps(String sql) throws SQLException {
    statements++;
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
    try {
      PreparedStatement p = ps(sql);
      bind(p, args);
      return p.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("update failed: " + sql, e);
    }
  }

  /** Runs a statement with a {@code RETURNING} clause: its first column, or null (no row). */
  private String returning(String sql, Object... args) {
    List<String> r = select(sql, rs -> rs.getString(1), args);
    return r.isEmpty() ? null : r.get(0);
  }

  /** Held-back writes are sent first, so that SQL reads see them. */
  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    flush();
    return select(sql, mapper, args);
  }

  private <T> List<T> select(String sql, RowMapper<T> mapper, Object... args) {
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
    flush();
    statements++;
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
    if (live == null) {
      return first(select("SELECT * FROM runs WHERE id = ?", Sql::mapRun, runId));
    }
    LiveRuns.Live l = live(runId);
    return l == null ? null : l.run;
  }

  /** The kept state of a run, loading its row on a miss; null when there is no such run. */
  private LiveRuns.Live live(String runId) {
    LiveRuns.Live l = live.get(runId);
    if (l == null) {
      RunRecord r = first(select("SELECT * FROM runs WHERE id = ?", Sql::mapRun, runId));
      l = r == null ? null : live.put(new LiveRuns.Live(r));
    }
    return l;
  }

  private static <T> T first(List<T> rows) {
    return rows.isEmpty() ? null : rows.get(0);
  }

  /** The write request ended and is kept (released to the transaction). */
  void requestDone() {
    flush();
    live.requestDone();
  }

  /** The write request rolled back (its savepoint): its held-back writes and state are dropped. */
  void requestRolledBack() {
    pendingRuns.clear();
    insertedRuns.clear();
    pendingSteps.clear();
    pendingTraces.clear();
    live.requestRolledBack();
  }

  /** The transaction did not commit: the kept state may hold its undone changes. */
  void commitFailed() {
    live.clear();
  }

  @Override
  public void insertRun(RunRecord r) {
    live.put(LiveRuns.Live.fresh(r));
    insertedRuns.add(r.id());
    pendingRuns.put(r.id(), r);
  }

  @Override
  public void updateRun(RunRecord r) {
    LiveRuns.Live l = live(r.id());
    if (l == null) {
      throw new StoreException("no run " + r.id() + " to update", null);
    }
    l.run = r;
    pendingRuns.put(r.id(), r);
  }

  @Override
  public boolean putStep(String runId, String stepId, String valueJson) {
    LiveRuns.Live l = live(runId);
    if (l == null) { // a step of no run (the contract allows it): nothing to keep
      return update("INSERT OR IGNORE INTO steps(run_id, step_id, value) VALUES (?,?,?)",
          runId, stepId, valueJson) == 1;
    }
    if (l.stepIds == null) {
      l.stepIds = new HashSet<>(select("SELECT step_id FROM steps WHERE run_id = ?",
          rs -> rs.getString(1), runId));
    }
    if (!l.stepIds.add(stepId)) {
      return false;
    }
    pendingSteps.add(new String[] {runId, stepId, valueJson});
    return true;
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
    String id = returning("INSERT INTO work(run_id, kind, step_id, target_step, attempt,"
            + " due_at, pause_id) VALUES (?,?,?,?,?,?,?) RETURNING id",
        w.runId(), w.kind().name(), w.stepId(), w.targetStep(), w.attempt(), w.dueAt(),
        w.pauseId());
    WorkItem stored = w.withId(Long.parseLong(id));
    LiveRuns.Live l = live.get(w.runId());
    if (l != null && l.work != null) {
      l.work.add(stored);
    }
    return stored;
  }

  @Override
  public WorkItem work(long id) {
    return first(select("SELECT * FROM work WHERE id = ?", SqlTx::mapWork, id));
  }

  @Override
  public boolean deleteWork(long id) {
    String runId = returning("DELETE FROM work WHERE id = ? RETURNING run_id", id);
    LiveRuns.Live l = runId == null ? null : live.get(runId);
    if (l != null && l.work != null) {
      l.work.removeIf(w -> w.id() == id);
    }
    return runId != null;
  }

  @Override
  public List<WorkItem> workForRun(String runId) {
    LiveRuns.Live l = live == null ? null : live(runId);
    if (l == null) {
      return select("SELECT * FROM work WHERE run_id = ? ORDER BY id", SqlTx::mapWork, runId);
    }
    if (l.work == null) {
      l.work = select("SELECT * FROM work WHERE run_id = ? ORDER BY id", SqlTx::mapWork, runId);
    }
    return List.copyOf(l.work);
  }

  @Override
  public void deleteWorkForRun(String runId) {
    LiveRuns.Live l = live(runId);
    if (l != null && l.work != null && l.work.isEmpty()) {
      return;
    }
    update("DELETE FROM work WHERE run_id = ?", runId);
    if (l != null) {
      l.work = new ArrayList<>();
    }
  }

  @Override
  public void setLease(long workId, Long leaseUntil) {
    update("UPDATE work SET lease_until = ? WHERE id = ?", leaseUntil, workId);
  }

  @Override
  public Pause insertPause(Pause p) {
    String id = returning("INSERT INTO pauses(run_id, step_id, event_name, expr, eq_path,"
            + " eq_value, expires_at) VALUES (?,?,?,?,?,?,?) RETURNING id",
        p.runId(), p.stepId(), p.eventName(), p.expr(), p.eqPath(), p.eqValue(), p.expiresAt());
    LiveRuns.Live l = live.get(p.runId());
    if (l != null) {
      l.noPauses = false;
    }
    return p.withId(Long.parseLong(id));
  }

  @Override
  public Pause pause(long id) {
    return first(select("SELECT * FROM pauses WHERE id = ?", SqlTx::mapPause, id));
  }

  @Override
  public boolean deletePause(long id) {
    return update("DELETE FROM pauses WHERE id = ?", id) == 1;
  }

  @Override
  public void deletePausesForRun(String runId) {
    LiveRuns.Live l = live(runId);
    if (l != null && l.noPauses) {
      return;
    }
    update("DELETE FROM pauses WHERE run_id = ?", runId);
    if (l != null) {
      l.noPauses = true;
    }
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
    LiveRuns.Live l = live == null ? null : tracesOf(runId);
    return l == null ? mgmt.stepTrace(runId, stepKey) : l.traces.get(stepKey);
  }

  @Override
  public void putStepTrace(StepTrace trace) {
    LiveRuns.Live l = tracesOf(trace.runId());
    if (l != null) {
      l.traces.put(trace.stepKey(), trace);
    }
    pendingTraces.put(trace.runId() + '\n' + trace.stepKey(), trace);
  }

  @Override
  public List<StepTrace> stepTraces(String runId) {
    LiveRuns.Live l = live == null ? null : tracesOf(runId);
    return l == null ? mgmt.stepTraces(runId) : List.copyOf(l.traces.values());
  }

  /** The kept state of a run with its traces loaded; null when there is no such run. */
  private LiveRuns.Live tracesOf(String runId) {
    LiveRuns.Live l = live(runId);
    if (l != null && l.traces == null) {
      l.traces = new LinkedHashMap<>();
      for (StepTrace t : select("SELECT * FROM step_trace WHERE run_id = ? ORDER BY seq",
          SqlMgmt::mapTrace, runId)) {
        l.traces.put(t.stepKey(), t);
      }
    }
    return l;
  }

  // ---- the held-back writes of a request, sent as one statement per table ----

  private static final String RUN_COLUMNS = "id, status, app_id, fn_id, family, event, method,"
      + " url, content_type, body, request_version, retries, force_plan, state_bytes,"
      + " created_at, ended_at, output, app_slug, fn_slug, started_at, original_run_id,"
      + " event_id";
  private static final String TRACE_COLUMNS = "run_id, step_key, step_id, name, op, status,"
      + " attempts, max_attempts, queued_at, started_at, ended_at, error, wait_reason, wait,"
      + " attempt_log";
  /** Rows per multi-row statement: 15 columns × 2,000 rows stays under SQLite's 32,766 variables. */
  private static final int MAX_ROWS = 2000;
  /** Multi-row statements of up to this many rows are kept prepared; larger ones are not. */
  private static final int CACHED_ROWS = 8;

  /** Sends the held-back writes: per table one statement (per run for updated runs). */
  private void flush() {
    if (live == null || pendingRuns.isEmpty() && pendingSteps.isEmpty()
        && pendingTraces.isEmpty()) {
      return;
    }
    List<Object[]> newRuns = new ArrayList<>();
    for (RunRecord r : pendingRuns.values()) {
      if (insertedRuns.contains(r.id())) {
        newRuns.add(new Object[] {r.id(), r.status().name(), r.appId(), r.fnId(),
            r.family().name(), r.event(), r.method(), r.url(), r.contentType(), r.body(),
            r.requestVersion(), r.retries(), r.forcePlan(), r.stateBytes(), r.createdAt(),
            r.endedAt(), r.output(), r.appSlug(), r.fnSlug(), r.startedAt(), r.originalRunId(),
            r.eventId()});
      } else {
        update("UPDATE runs SET status = ?, force_plan = ?, state_bytes = ?, ended_at = ?,"
                + " output = ?, started_at = ? WHERE id = ?",
            r.status().name(), r.forcePlan(), r.stateBytes(), r.endedAt(), r.output(),
            r.startedAt(), r.id());
      }
    }
    insertRows("INSERT INTO runs(" + RUN_COLUMNS + ") VALUES ", "", newRuns);
    List<Object[]> steps = new ArrayList<>(pendingSteps.size());
    steps.addAll(pendingSteps);
    insertRows("INSERT OR IGNORE INTO steps(run_id, step_id, value) VALUES ", "", steps);
    List<Object[]> traces = new ArrayList<>(pendingTraces.size());
    for (StepTrace t : pendingTraces.values()) {
      traces.add(new Object[] {t.runId(), t.stepKey(), t.stepId(), t.name(), t.op(), t.status(),
          t.attempts(), t.maxAttempts(), t.queuedAt(), t.startedAt(), t.endedAt(), t.error(),
          t.waitReason(), t.waitJson(), t.attemptLog()});
    }
    // an upsert keeps a replaced row's seq: a trace keeps its position
    insertRows("INSERT INTO step_trace(" + TRACE_COLUMNS + ") VALUES ",
        " ON CONFLICT(run_id, step_key) DO UPDATE SET step_id = excluded.step_id,"
            + " name = excluded.name, op = excluded.op, status = excluded.status,"
            + " attempts = excluded.attempts, max_attempts = excluded.max_attempts,"
            + " queued_at = excluded.queued_at, started_at = excluded.started_at,"
            + " ended_at = excluded.ended_at, error = excluded.error,"
            + " wait_reason = excluded.wait_reason, wait = excluded.wait,"
            + " attempt_log = excluded.attempt_log", traces);
    pendingRuns.clear();
    insertedRuns.clear();
    pendingSteps.clear();
    pendingTraces.clear();
  }

  /** Inserts {@code rows} with one statement (per {@link #MAX_ROWS}); none when empty. */
  private void insertRows(String head, String tail, List<Object[]> rows) {
    for (int from = 0; from < rows.size(); from += MAX_ROWS) {
      List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + MAX_ROWS));
      int width = chunk.get(0).length;
      StringBuilder sql = new StringBuilder(head);
      String row = "(" + "?,".repeat(width - 1) + "?)";
      for (int i = 0; i < chunk.size(); i++) {
        sql.append(i == 0 ? "" : ",").append(row);
      }
      sql.append(tail);
      Object[] args = new Object[width * chunk.size()];
      for (int i = 0; i < chunk.size(); i++) {
        System.arraycopy(chunk.get(i), 0, args, i * width, width);
      }
      if (chunk.size() <= CACHED_ROWS) {
        update(sql.toString(), args);
      } else {
        statements++;
        try (PreparedStatement p = conn.prepareStatement(sql.toString())) {
          bind(p, args);
          p.executeUpdate();
        } catch (SQLException e) {
          throw new StoreException("insert failed: " + head, e);
        }
      }
    }
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
