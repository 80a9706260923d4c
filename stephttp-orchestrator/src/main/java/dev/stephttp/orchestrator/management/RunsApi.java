package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.StreamCounts;
import dev.stephttp.orchestrator.model.RunFilter;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.Ulids;
import dev.stephttp.orchestrator.store.ReadStore;
import dev.stephttp.orchestrator.store.Reads;
import java.time.Clock;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Run endpoints of the management API: lists (§8.7, §8.17, §8.21), detail (§8.8), trace
 * (§8.9), cancel (§8.10) and rerun (§8.11).
 */
public final class RunsApi {
  private final ReadStore store;
  private final Engine engine;
  private final StreamCounts streams;
  private final Clock clock;

  /** Runs read from {@code store}, changed through {@code engine}; {@code streams} adds their chunk counts. */
  public RunsApi(ReadStore store, Engine engine, StreamCounts streams, Clock clock) {
    this.store = store;
    this.engine = engine;
    this.streams = streams;
    this.clock = clock;
  }

  /** Validates a ULID path parameter; reports {@code code} and returns null when invalid. */
  static String ulid(ApiQuery q, String value, String code, String field) {
    if (!Ulids.isValid(value)) {
      q.error(code, field + " must be a ULID (26 Crockford base-32 characters); got '"
          + ApiQuery.cut(value) + "'.", field);
      return null;
    }
    return value.toUpperCase(Locale.ROOT);
  }

  ApiResult list(ApiCall call) {
    return runList(call, "runs", null, null);
  }

  /** §8.17: the app and function come from the path; both must exist. */
  ApiResult functionRuns(ApiCall call) {
    String app = call.pathParam("appId");
    String fn = call.pathParam("functionId");
    return runList(call, "fnruns", app, fn);
  }

  /** §8.21: runs an event started or resumed. */
  ApiResult eventRuns(ApiCall call) {
    ApiQuery q = call.query();
    String eventId = ulid(q, call.pathParam("eventId"), "invalid_event_id", "eventId");
    String relation = q.enumOne(ApiParam.RELATION, "invalid_relation");
    boolean include = q.bool(ApiParam.INCLUDE_OUTPUT);
    int max = q.integer(ApiParam.MAX_OUTPUT_LIST, "max_output_bytes_out_of_range");
    String hash = Cursor.hash("eventruns", eventId, relation);
    Cursor cursor = q.cursor("eventruns", "DESC", hash);
    int limit = q.integer(ApiParam.LIMIT, "limit_out_of_range");
    q.check();
    boolean resumed = relation.equals("RESUMED");
    RunFilter f = new RunFilter(Set.of(), Set.of(), Set.of(), RunFilter.TimeField.QUEUED_AT,
        null, null, true, resumed ? null : eventId, resumed ? eventId : null,
        cursor == null ? null : cursor.key(), cursor == null ? null : cursor.id());
    return store.read(tx -> {
      if (tx.event(eventId) == null) {
        throw ApiException.of("event_not_found", "No event with ID " + eventId + ".");
      }
      return page(tx, f, limit, new RunViews.Payloads(include, max), "eventruns", hash, null);
    });
  }

  private ApiResult runList(ApiCall call, String endpoint, String pathApp, String pathFn) {
    ApiQuery q = call.query();
    Set<String> statuses = q.enumMulti(ApiParam.STATUS, "invalid_status");
    Set<String> apps = pathApp != null ? Set.of(pathApp) : q.ids(ApiParam.APP_IDS);
    Set<String> fns = pathFn != null ? Set.of(pathFn) : q.ids(ApiParam.FUNCTION_IDS);
    if (pathApp == null && !fns.isEmpty() && apps.isEmpty()) {
      q.error("app_id_required", "functionId needs appId: a function ID is unique only within"
          + " its app.", "functionId");
    }
    Long from = q.timestamp(ApiParam.FROM);
    Long until = q.timestamp(ApiParam.UNTIL);
    if (from != null && until != null && from >= until) {
      q.error("time_range_invalid", "from must be strictly before until.", "until");
    }
    String timeField = q.enumOne(ApiParam.TIME_FIELD, "invalid_time_field");
    String order = q.enumOne(ApiParam.ORDER, "invalid_order");
    Boolean deferred = q.bool(ApiParam.IS_DEFERRED);
    boolean include = q.bool(ApiParam.INCLUDE_OUTPUT);
    int max = q.integer(ApiParam.MAX_OUTPUT_LIST, "max_output_bytes_out_of_range");
    String hash = Cursor.hash(endpoint, new TreeSet<>(statuses), new TreeSet<>(apps),
        new TreeSet<>(fns), from, until, timeField, deferred);
    Cursor cursor = q.cursor(endpoint, order, hash);
    int limit = q.integer(ApiParam.LIMIT, "limit_out_of_range");
    q.check();
    Set<RunStatus> st = EnumSet.noneOf(RunStatus.class);
    statuses.forEach(s -> st.add(RunStatus.valueOf(s)));
    RunFilter f = new RunFilter(st, apps, fns, RunFilter.TimeField.valueOf(timeField), from,
        until, order.equals("DESC"), null, null, cursor == null ? null : cursor.key(),
        cursor == null ? null : cursor.id());
    ObjectNode range = ApiWriter.timeRange(from, until);
    return store.read(tx -> {
      if (pathApp != null && tx.app(pathApp) == null) {
        throw ApiException.of("app_not_found", "No app with ID '" + ApiQuery.cut(pathApp)
            + "'.");
      }
      if (pathFn != null && tx.function(pathApp, pathFn) == null) {
        throw ApiException.of("function_not_found", "No function '" + ApiQuery.cut(pathFn)
            + "' in app '" + ApiQuery.cut(pathApp) + "'.");
      }
      if (Boolean.TRUE.equals(deferred)) { // this server has no deferred runs
        return ApiResult.page(ApiJson.F.arrayNode(), ApiWriter.page(null, false, limit), range);
      }
      return page(tx, f, limit, new RunViews.Payloads(include, max), endpoint, hash, range);
    });
  }

  private ApiResult page(Reads tx, RunFilter f, int limit, RunViews.Payloads p,
      String endpoint, String hash, ObjectNode range) {
    List<RunRecord> rows = tx.runs(f, limit + 1);
    boolean more = rows.size() > limit;
    List<RunRecord> shown = more ? rows.subList(0, limit) : rows;
    ArrayNode data = ApiJson.F.arrayNode();
    for (RunRecord r : shown) {
      data.add(RunViews.functionRun(r, tx.stepTraces(r.id()), streams.of(r.id()), p));
    }
    String cursor = null;
    if (more) {
      RunRecord last = shown.get(shown.size() - 1);
      cursor = new Cursor(endpoint, f.desc() ? "DESC" : "ASC", hash, f.timeField().of(last),
          last.id()).encode();
    }
    return ApiResult.page(data, ApiWriter.page(cursor, more, limit), range);
  }

  private record One(String runId, boolean include, int max) {}

  private static One single(ApiCall call) {
    ApiQuery q = call.query();
    String id = ulid(q, call.pathParam("runId"), "invalid_run_id", "runId");
    boolean include = q.bool(ApiParam.INCLUDE_OUTPUT);
    int max = q.integer(ApiParam.MAX_OUTPUT_ONE, "max_output_bytes_out_of_range");
    q.check();
    return new One(id, include, max);
  }

  private static RunRecord find(Reads tx, String id) {
    RunRecord r = tx.run(id);
    if (r == null) {
      throw ApiException.of("run_not_found", "No run with ID " + id + ".");
    }
    return r;
  }

  /**
   * §6.5: weak ETag of a terminal run's representation; {@code stream} is part of it, since a
   * run's last chunks may be counted after it ended.
   */
  static String etag(RunRecord r, String route, One one, StreamCounts.Counts stream) {
    if (!r.status().terminal()) {
      return null;
    }
    String v = Cursor.hash(route, one.include(), one.max(), "1", stream);
    return "W/\"" + r.id() + "." + r.endedAt() + "." + v + "\"";
  }

  ApiResult get(ApiCall call) {
    One one = single(call);
    return store.read(tx -> {
      RunRecord r = find(tx, one.runId());
      StreamCounts.Counts stream = streams.of(r.id());
      return ApiResult.ok(RunViews.functionRun(r, tx.stepTraces(r.id()), stream,
          new RunViews.Payloads(one.include(), one.max()))).withEtag(etag(r, "run", one, stream));
    });
  }

  ApiResult trace(ApiCall call) {
    One one = single(call);
    return store.read(tx -> {
      RunRecord r = find(tx, one.runId());
      return ApiResult.ok(TraceViews.trace(r, tx.stepTraces(r.id()), tx.steps(r.id()),
          new RunViews.Payloads(one.include(), one.max()))).withEtag(etag(r, "trace", one, null));
    });
  }

  /** §8.10: QUEUED or RUNNING → CANCELLED in one transaction (timers and pauses removed). */
  ApiResult cancel(ApiCall call) {
    ApiQuery q = call.query();
    String id = ulid(q, call.pathParam("runId"), "invalid_run_id", "runId");
    if (call.body().length > 0) {
      ApiJson.parseObject(call.body()); // any fields are ignored, but it must be JSON
    }
    q.check();
    RunRecord after = engine.cancel(id);
    ObjectNode data = ApiJson.F.objectNode();
    data.put("runId", after.id());
    data.put("status", after.status().name());
    data.put("cancelledAt", ApiJson.ts(after.endedAt()));
    return ApiResult.ok(data);
  }

  /** §8.11: a new QUEUED run replaying the original request; re-entered at once. */
  ApiResult rerun(ApiCall call) {
    ApiQuery q = call.query();
    String id = ulid(q, call.pathParam("runId"), "invalid_run_id", "runId");
    if (call.body().length > 0) {
      ApiJson.parseObject(call.body()); // fromStep is a SHOULD not built yet: ignored (§0)
    }
    q.check();
    String newId = Ulids.next();
    RunRecord created = engine.rerun(id, newId);
    ObjectNode data = ApiJson.F.objectNode();
    data.put("runId", created.id());
    data.put("originalRunId", created.originalRunId());
    return ApiResult.ok(data);
  }
}
