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
import java.util.Set;
import java.util.function.Function;

/** {@link Tx} over one JDBC connection to SQLite. Confined to the thread owning the connection. */
final class SqlTx implements Tx, Sql {

  private final Connection conn;
  private final Map<String, PreparedStatement> cache = new HashMap<>();
  /** Multi-row statements' text by their head and row count (up to {@link #CACHED_ROWS}). */
  private final Map<String, String[]> rowsSql = new HashMap<>();
  private final SqlMgmt mgmt = new SqlMgmt(this);
  private List<Runnable> callbacks = new ArrayList<>();
  /** The running runs' state (write connection only; null on the read connection). */
  private final LiveRuns live;
  /** The current write request's held-back writes, and those of the group commit before it. */
  private final Pending request = new Pending();
  private final Pending batch = new Pending();
  /** Whether a write request is running, and whether it opened its savepoint. */
  private boolean inRequest;
  private boolean savepoint;
  /** A failed request's rollback could not send the group commit's writes: the group fails. */
  private boolean broken;
  /** The next work item ID (allocated here so that work inserts can be held back); 0: unread. */
  private long nextWorkId;
  private long statements;

  /**
   * @param writer whether this is the write connection: it keeps the running runs' state
   *     ({@link LiveRuns}) and holds writes back until the group commit ({@link Pending})
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

  /** An immediate write: the held-back writes go first (a savepoint protects the request's). */
  @Override
  public int update(String sql, Object... args) {
    flushAll();
    return exec(sql, args);
  }

  private int exec(String sql, Object... args) {
    try {
      PreparedStatement p = ps(sql);
      bind(p, args);
      return p.executeUpdate();
    } catch (SQLException e) {
      throw new StoreException("update failed: " + sql, e);
    }
  }

  /** An immediate statement with a {@code RETURNING} clause: its first column, or null. */
  private String returning(String sql, Object... args) {
    flushAll();
    List<String> r = select(sql, rs -> rs.getString(1), args);
    return r.isEmpty() ? null : r.get(0);
  }

  /** Held-back writes are sent first, so that SQL reads see them. */
  @Override
  public <T> List<T> query(String sql, RowMapper<T> mapper, Object... args) {
    flushAll();
    return select(sql, mapper, args);
  }

  /**
   * A read that held-back writes cannot affect: a run's own rows while the run is not kept or
   * its part not loaded (held-back writes of a run exist only while it is kept, with the parts
   * they change loaded).
   */
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
    flushAll();
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
        rs.getString("eq_value"), rs.getLong("expires_at"), rs.getString("signal"));
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

  // ---- write requests and the group commit (called by SqliteStore's writer) ----

  /** A write request begins. */
  void beginRequest() {
    inRequest = true;
  }

  /**
   * The write request succeeded: its held-back writes join the group commit's, or, when it
   * opened a savepoint (it ran immediate statements), are sent and the savepoint released.
   */
  void requestDone() {
    if (savepoint) {
      write(request);
      exec("RELEASE request");
      savepoint = false;
    } else {
      batch.absorb(request);
      request.clear();
    }
    inRequest = false;
    live.requestDone();
  }

  /**
   * The write request failed: its held-back writes are dropped, its immediate ones rolled back,
   * and the runs it used are no longer kept (they may hold its undone changes; the group
   * commit's held-back writes are sent first, so that a run read again is read whole).
   */
  void requestRolledBack() {
    request.clear();
    inRequest = false;
    if (savepoint) {
      savepoint = false;
      exec("ROLLBACK TO request");
      exec("RELEASE request");
    }
    try {
      write(batch);
    } catch (RuntimeException e) {
      broken = true;
      throw e;
    } finally {
      live.requestRolledBack();
    }
  }

  /** The group commit is about to commit: its held-back writes are sent. */
  void batchDone() {
    if (broken) {
      throw new StoreException("a failed write request could not be rolled back", null);
    }
    write(batch);
    live.trim();
  }

  /** The transaction did not commit: nothing held back or kept can be trusted. */
  void commitFailed() {
    request.clear();
    batch.clear();
    inRequest = false;
    savepoint = false;
    broken = false;
    live.clear();
  }

  /** Sends every held-back write before an immediate statement or a read that needs them. */
  private void flushAll() {
    if (live == null) {
      return;
    }
    if (!savepoint) {
      write(batch); // outside any savepoint: earlier requests' writes
    }
    if (inRequest) {
      if (!savepoint) {
        exec("SAVEPOINT request");
        savepoint = true;
      }
      write(request);
    }
  }

  @Override
  public void insertRun(RunRecord r) {
    live.put(LiveRuns.Live.fresh(r));
    request.runs.put(r.id(), r);
  }

  @Override
  public void updateRun(RunRecord r) {
    LiveRuns.Live l = live(r.id());
    if (l == null) {
      throw new StoreException("no run " + r.id() + " to update", null);
    }
    l.run = r;
    request.runs.put(r.id(), r);
  }

  @Override
  public boolean putStep(String runId, String stepId, String valueJson) {
    LiveRuns.Live l = stepsOf(runId);
    if (l == null) { // a step of no run (the contract allows it): nothing to keep
      return update("INSERT INTO step_trace(run_id, step_key, value) VALUES (?,?,?)"
          + " ON CONFLICT(run_id, step_key) DO UPDATE SET value = excluded.value"
          + " WHERE step_trace.value IS NULL", runId, stepId, valueJson) == 1;
    }
    LiveRuns.Step s = l.steps.get(stepId);
    if (s != null && s.valued()) {
      return false;
    }
    StepTrace trace = s == null ? null : s.trace();
    l.steps.put(stepId, new LiveRuns.Step(trace, true));
    request.putStep(new Pending.StepRow(runId, stepId, trace, valueJson));
    return true;
  }

  @Override
  public Map<String, String> steps(String runId) {
    Map<String, String> out = new LinkedHashMap<>();
    query("SELECT step_key, value FROM step_trace WHERE run_id = ? AND value IS NOT NULL"
        + " ORDER BY seq", rs -> out.put(rs.getString(1), rs.getString(2)), runId);
    return out;
  }

  @Override
  public WorkItem insertWork(WorkItem w) {
    LiveRuns.Live l = live(w.runId());
    if (l == null) {
      throw new StoreException("no run " + w.runId() + " to schedule work for", null);
    }
    if (nextWorkId == 0) {
      nextWorkId = 1 + select("SELECT max(ifnull((SELECT seq FROM sqlite_sequence"
          + " WHERE name = 'work'), 0), ifnull((SELECT max(id) FROM work), 0))",
          rs -> rs.getLong(1)).get(0);
    }
    workOf(l);
    WorkItem stored = w.withId(nextWorkId++);
    l.work.add(stored);
    request.work.put(stored.id(), stored);
    return stored;
  }

  @Override
  public WorkItem work(long id) {
    return first(query("SELECT * FROM work WHERE id = ?", SqlTx::mapWork, id));
  }

  @Override
  public boolean deleteWork(long id) {
    WorkItem held = request.work.remove(id);
    String runId = held != null ? held.runId()
        : returning("DELETE FROM work WHERE id = ? RETURNING run_id", id);
    LiveRuns.Live l = runId == null ? null : live.get(runId);
    if (l != null && l.work != null) {
      l.work.removeIf(w -> w.id() == id);
    }
    return runId != null;
  }

  @Override
  public List<WorkItem> workForRun(String runId) {
    LiveRuns.Live l = live == null ? null : live(runId);
    return l == null
        ? query("SELECT * FROM work WHERE run_id = ? ORDER BY id", SqlTx::mapWork, runId)
        : List.copyOf(workOf(l));
  }

  private List<WorkItem> workOf(LiveRuns.Live l) {
    if (l.work == null) {
      l.work = select("SELECT * FROM work WHERE run_id = ? ORDER BY id", SqlTx::mapWork,
          l.run.id());
    }
    return l.work;
  }

  @Override
  public void deleteWorkForRun(String runId) {
    LiveRuns.Live l = live(runId);
    if (l == null) {
      update("DELETE FROM work WHERE run_id = ?", runId);
      return;
    }
    if (l.work == null || !l.work.isEmpty()) {
      request.deleteWorkOf(runId);
    }
    l.work = new ArrayList<>();
  }

  @Override
  public void setLease(long workId, Long leaseUntil) {
    update("UPDATE work SET lease_until = ? WHERE id = ?", leaseUntil, workId);
  }

  @Override
  public Pause insertPause(Pause p) {
    String id = returning("INSERT INTO pauses(run_id, step_id, event_name, expr, eq_path,"
            + " eq_value, expires_at, signal) VALUES (?,?,?,?,?,?,?,?) RETURNING id",
        p.runId(), p.stepId(), p.eventName(), p.expr(), p.eqPath(), p.eqValue(), p.expiresAt(),
        p.signal());
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
  public Pause signalPause(String signal) {
    return first(select("SELECT * FROM pauses WHERE signal = ?", SqlTx::mapPause, signal));
  }

  @Override
  public boolean deletePause(long id) {
    return update("DELETE FROM pauses WHERE id = ?", id) == 1;
  }

  @Override
  public void releaseSignal(long pauseId) {
    update("UPDATE pauses SET signal = NULL WHERE id = ?", pauseId);
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
    String[][] tables = {{"runs", "runs"}, {"steps", "step_trace WHERE value IS NOT NULL"},
        {"events", "events"}, {"pauses", "pauses"}, {"work", "work"}};
    for (String[] t : tables) {
      out.put(t[0], query("SELECT COUNT(*) FROM " + t[1], rs -> rs.getLong(1)).get(0));
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
    LiveRuns.Live l = live == null ? null : stepsOf(runId);
    if (l == null) {
      return mgmt.stepTrace(runId, stepKey);
    }
    LiveRuns.Step s = l.steps.get(stepKey);
    return s == null ? null : s.trace();
  }

  @Override
  public void putStepTrace(StepTrace trace) {
    LiveRuns.Live l = stepsOf(trace.runId());
    if (l == null) {
      throw new StoreException("no run " + trace.runId() + " to trace a step of", null);
    }
    LiveRuns.Step s = l.steps.get(trace.stepKey());
    l.steps.put(trace.stepKey(), new LiveRuns.Step(trace, s != null && s.valued()));
    request.putStep(new Pending.StepRow(trace.runId(), trace.stepKey(), trace, null));
  }

  @Override
  public List<StepTrace> stepTraces(String runId) {
    LiveRuns.Live l = live == null ? null : stepsOf(runId);
    if (l == null) {
      return mgmt.stepTraces(runId);
    }
    List<StepTrace> out = new ArrayList<>(l.steps.size());
    for (LiveRuns.Step s : l.steps.values()) {
      if (s.trace() != null) {
        out.add(s.trace());
      }
    }
    return out;
  }

  /** The kept state of a run with its steps loaded; null when there is no such run. */
  private LiveRuns.Live stepsOf(String runId) {
    LiveRuns.Live l = live(runId);
    if (l != null && l.steps == null) {
      LinkedHashMap<String, LiveRuns.Step> steps = new LinkedHashMap<>();
      select("SELECT " + SqlMgmt.TRACE_COLUMNS + ", value IS NOT NULL AS valued FROM step_trace"
          + " WHERE run_id = ? ORDER BY seq", rs -> steps.put(rs.getString("step_key"),
              new LiveRuns.Step(SqlMgmt.mapTraceOrNull(rs), rs.getBoolean("valued"))), runId);
      l.steps = steps;
    }
    return l;
  }

  // ---- the held-back writes of a request, sent as one statement per table ----

  private static final String RUN_COLUMNS = "id, status, app_id, fn_id, family, event, method,"
      + " url, content_type, body, request_version, retries, force_plan, state_bytes,"
      + " created_at, ended_at, output, app_slug, fn_slug, started_at, original_run_id,"
      + " event_id";
  /**
   * Rows per multi-row statement. Every size up to it is kept prepared, so a group commit of many
   * requests runs a few cached statements per table rather than preparing one of thousands of
   * variables each time (BENCHMARKS.md, issue 10: statement preparation).
   */
  private static final int CHUNK_ROWS = 64;

  /** Sends held-back writes: one statement per table (and per {@link #CHUNK_ROWS} rows). */
  private void write(Pending p) {
    if (p.isEmpty()) {
      return;
    }
    List<Object[]> rows = new ArrayList<>();
    for (RunRecord r : p.runs.values()) {
      rows.add(new Object[] {r.id(), r.status().name(), r.appId(), r.fnId(), r.family().name(),
          r.event(), r.method(), r.url(), r.contentType(), r.body(), r.requestVersion(),
          r.retries(), r.forcePlan(), r.stateBytes(), r.createdAt(), r.endedAt(), r.output(),
          r.appSlug(), r.fnSlug(), r.startedAt(), r.originalRunId(), r.eventId()});
    }
    rows("INSERT INTO runs(" + RUN_COLUMNS + ") VALUES ", TUPLE, " ON CONFLICT(id) DO UPDATE"
        + " SET status = excluded.status, force_plan = excluded.force_plan,"
        + " state_bytes = excluded.state_bytes, ended_at = excluded.ended_at,"
        + " output = excluded.output, started_at = excluded.started_at", rows);
    rows = new ArrayList<>();
    for (Pending.StepRow row : p.steps.values()) {
      StepTrace t = row.trace();
      rows.add(t == null
          ? new Object[] {row.runId(), row.stepKey(), null, null, null, null, null, null, null,
              null, null, null, null, null, null, row.value()}
          : new Object[] {t.runId(), t.stepKey(), t.stepId(), t.name(), t.op(), t.status(),
              t.attempts(), t.maxAttempts(), t.queuedAt(), t.startedAt(), t.endedAt(), t.error(),
              t.waitReason(), t.waitJson(), t.attemptLog(), row.value()});
    }
    // one row per step: an upsert keeps a row's seq (a step keeps its position), the trace is
    // the step's last, and its value is the first one given (a held-back row without a value,
    // or a trace update, never erases a stored one)
    rows("INSERT INTO step_trace(" + SqlMgmt.TRACE_COLUMNS + ", value) VALUES ", TUPLE,
        " ON CONFLICT(run_id, step_key) DO UPDATE SET step_id = excluded.step_id,"
            + " name = excluded.name, op = excluded.op, status = excluded.status,"
            + " attempts = excluded.attempts, max_attempts = excluded.max_attempts,"
            + " queued_at = excluded.queued_at, started_at = excluded.started_at,"
            + " ended_at = excluded.ended_at, error = excluded.error,"
            + " wait_reason = excluded.wait_reason, wait = excluded.wait,"
            + " attempt_log = excluded.attempt_log,"
            + " value = coalesce(step_trace.value, excluded.value)", rows);
    rows = new ArrayList<>();
    for (String runId : p.workDeletedRuns) {
      rows.add(new Object[] {runId});
    }
    rows("DELETE FROM work WHERE run_id IN (", "?", ")", rows);
    rows = new ArrayList<>();
    for (WorkItem w : p.work.values()) {
      rows.add(new Object[] {w.id(), w.runId(), w.kind().name(), w.stepId(), w.targetStep(),
          w.attempt(), w.dueAt(), w.pauseId()});
    }
    rows("INSERT INTO work(id, run_id, kind, step_id, target_step, attempt, due_at, pause_id)"
        + " VALUES ", TUPLE, "", rows);
    rows = new ArrayList<>();
    for (EventRecord e : p.events) {
      rows.add(new Object[] {e.id(), e.name(), e.json(), e.receivedAt()});
    }
    rows("INSERT OR IGNORE INTO events(id, name, body, received_at) VALUES ", TUPLE, "", rows);
    Map<String, Object[]> apps = new LinkedHashMap<>();
    rows = new ArrayList<>();
    for (FunctionRecord f : p.functions.values()) {
      apps.merge(f.appId(), new Object[] {f.appId(), f.createdAt(), f.lastSeenAt()},
          (a, b) -> new Object[] {a[0], Math.min((long) a[1], (long) b[1]),
              Math.max((long) a[2], (long) b[2])});
      rows.add(new Object[] {f.appId(), f.id(), f.name(), f.retries(), f.createdAt(),
          f.lastSeenAt()});
    }
    rows("INSERT INTO apps(id, created_at, last_seen_at) VALUES ", TUPLE, " ON CONFLICT(id)"
        + " DO UPDATE SET last_seen_at = max(last_seen_at, excluded.last_seen_at)",
        new ArrayList<>(apps.values()));
    rows("INSERT INTO functions(app_id, id, name, retries, created_at, last_seen_at) VALUES ",
        TUPLE, " ON CONFLICT(app_id, id) DO UPDATE SET retries = excluded.retries,"
            + " last_seen_at = max(last_seen_at, excluded.last_seen_at)", rows);
    p.clear();
  }

  /** {@code head + row, row, … + tail} for {@code n} rows of {@code width} values. */
  private static String rowsSql(String head, String row, String tail, int width, int n) {
    String one = row.equals(TUPLE) ? "(" + "?,".repeat(width - 1) + "?)" : row;
    StringBuilder sql = new StringBuilder(head.length() + n * (one.length() + 1) + tail.length())
        .append(head);
    for (int i = 0; i < n; i++) {
      sql.append(i == 0 ? "" : ",").append(one);
    }
    return sql.append(tail).toString();
  }

  /** The row template of {@link #rows} for a parenthesised tuple of one placeholder a column. */
  private static final String TUPLE = "(?)";

  /**
   * Runs {@code head + row, row, … + tail} over {@code rows} as one statement (per
   * {@link #CHUNK_ROWS}), {@code row} being {@link #TUPLE} (as many placeholders as a row has
   * values) or a literal template; nothing when there are no rows.
   */
  private void rows(String head, String row, String tail, List<Object[]> rows) {
    for (int from = 0; from < rows.size(); from += CHUNK_ROWS) {
      List<Object[]> chunk = rows.subList(from, Math.min(rows.size(), from + CHUNK_ROWS));
      int width = chunk.get(0).length;
      Object[] args = new Object[width * chunk.size()];
      for (int i = 0; i < chunk.size(); i++) {
        System.arraycopy(chunk.get(i), 0, args, i * width, width);
      }
      // the same String each time: its hash is computed once, the statement cache hits by identity
      String[] bySize = rowsSql.computeIfAbsent(head, h -> new String[CHUNK_ROWS + 1]);
      String sql = bySize[chunk.size()];
      if (sql == null) {
        sql = rowsSql(head, row, tail, width, chunk.size());
        bySize[chunk.size()] = sql;
      }
      exec(sql, args);
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
    request.touch(fn);
  }

  @Override
  public void insertTriggerEvent(EventRecord event) {
    request.events.add(event);
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
