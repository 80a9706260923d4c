package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.ClientFamily;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/** Statements on one connection: what {@link SqlMgmt} runs its queries through. */
interface Sql {

  /** Maps the current row of a result set. */
  interface RowMapper<T> {
    T map(ResultSet rs) throws SQLException;
  }

  /** Runs an insert, update, delete or statement; the number of changed rows. */
  int update(String sql, Object... args);

  /** The mapped rows of a query (its statement cached). */
  <T> List<T> query(String sql, RowMapper<T> mapper, Object... args);

  /** Like {@link #query} without caching the statement (dynamic management SQL). */
  <T> List<T> queryFresh(String sql, RowMapper<T> mapper, Object... args);

  /** A row of the runs table. */
  static RunRecord mapRun(ResultSet rs) throws SQLException {
    return new RunRecord(rs.getString("id"), RunStatus.valueOf(rs.getString("status")),
        rs.getString("app_id"), rs.getString("fn_id"),
        ClientFamily.valueOf(rs.getString("family")), rs.getString("event"),
        rs.getString("method"), rs.getString("url"), rs.getString("content_type"),
        rs.getBytes("body"), rs.getInt("request_version"), rs.getInt("retries"),
        rs.getInt("force_plan") != 0, rs.getLong("state_bytes"), rs.getLong("created_at"),
        rs.getLong("ended_at"), rs.getString("output"), rs.getString("app_slug"),
        rs.getString("fn_slug"), rs.getLong("started_at"), rs.getString("original_run_id"),
        rs.getString("event_id"));
  }
}
