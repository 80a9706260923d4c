package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.AppRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.RunFilter;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.store.ReadStore;
import dev.stephttp.orchestrator.store.Reads;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Apps (§8.13, §8.14), functions (§8.15, §8.16) and run counters (§8.12). */
public final class CatalogApi {
  private static final long DAY = 24L * 3600 * 1000;
  private final ReadStore store;

  private final Clock clock;

  public CatalogApi(ReadStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  static ObjectNode app(AppRecord a) {
    ObjectNode o = ApiJson.F.objectNode();
    o.put("id", a.id());
    o.put("name", a.id());
    o.put("method", "API");
    o.putNull("appVersion");
    o.put("createdAt", ApiJson.ts(a.createdAt()));
    o.put("isArchived", false);
    o.putNull("archivedAt");
    o.put("functionCount", a.functionCount());
    o.putNull("latestSync");
    o.put("lastSeenAt", ApiJson.ts(a.lastSeenAt()));
    return o;
  }

  static ObjectNode function(FunctionRecord f) {
    ObjectNode o = ApiJson.F.objectNode();
    o.put("id", f.id());
    o.put("name", f.name());
    o.put("slug", f.id());
    o.put("isPaused", false);
    o.put("isArchived", false);
    o.putObject("app").put("id", f.appId());
    o.putArray("triggers");
    o.putNull("failureHandler");
    ObjectNode c = o.putObject("configuration");
    c.putArray("cancellations");
    ObjectNode retries = c.putObject("retries");
    retries.put("value", f.retries());
    retries.put("isDefault", f.retries() == 4);
    for (String k : new String[] {"priority", "eventsBatch"}) {
      c.putNull(k);
    }
    c.putArray("concurrency");
    for (String k : new String[] {"rateLimit", "debounce", "throttle", "singleton"}) {
      c.putNull(k);
    }
    o.put("createdAt", ApiJson.ts(f.createdAt()));
    o.put("lastSeenAt", ApiJson.ts(f.lastSeenAt()));
    return o;
  }

  ApiResult apps(ApiCall call) {
    ApiQuery q = call.query();
    boolean archived = q.bool(ApiParam.ARCHIVED);
    String hash = Cursor.hash("apps", archived);
    Cursor cursor = q.cursor("apps", "ASC", hash);
    int limit = q.integer(ApiParam.LIMIT, "limit_out_of_range");
    q.check();
    if (archived) { // apps here are never archived
      return ApiResult.page(ApiJson.F.arrayNode(), ApiWriter.page(null, false, limit), null);
    }
    List<AppRecord> rows = store.read(tx -> tx.apps(cursor == null ? null : cursor.id(),
        limit + 1));
    boolean more = rows.size() > limit;
    ArrayNode data = ApiJson.F.arrayNode();
    rows.stream().limit(limit).forEach(a -> data.add(app(a)));
    String next = more ? new Cursor("apps", "ASC", hash, null, rows.get(limit - 1).id())
        .encode() : null;
    return ApiResult.page(data, ApiWriter.page(next, more, limit), null);
  }

  private static AppRecord findApp(Reads tx, String id) {
    AppRecord a = tx.app(id);
    if (a == null) {
      throw ApiException.of("app_not_found", "No app with ID '" + ApiQuery.cut(id) + "'.");
    }
    return a;
  }

  ApiResult getApp(ApiCall call) {
    call.query().check();
    return store.read(tx -> ApiResult.ok(app(findApp(tx, call.pathParam("appId")))));
  }

  ApiResult functions(ApiCall call) {
    String appId = call.pathParam("appId");
    ApiQuery q = call.query();
    String hash = Cursor.hash("functions", appId);
    Cursor cursor = q.cursor("functions", "ASC", hash);
    int limit = q.integer(ApiParam.LIMIT, "limit_out_of_range");
    q.check();
    return store.read(tx -> {
      findApp(tx, appId);
      List<FunctionRecord> rows = tx.functions(appId, cursor == null ? null : cursor.id(),
          limit + 1);
      boolean more = rows.size() > limit;
      ArrayNode data = ApiJson.F.arrayNode();
      rows.stream().limit(limit).forEach(f -> data.add(function(f)));
      String next = more ? new Cursor("functions", "ASC", hash, null,
          rows.get(limit - 1).id()).encode() : null;
      return ApiResult.page(data, ApiWriter.page(next, more, limit), null);
    });
  }

  ApiResult getFunction(ApiCall call) {
    call.query().check();
    String appId = call.pathParam("appId");
    String fnId = call.pathParam("functionId");
    return store.read(tx -> {
      findApp(tx, appId);
      FunctionRecord f = tx.function(appId, fnId);
      if (f == null) {
        throw ApiException.of("function_not_found", "No function '" + ApiQuery.cut(fnId)
            + "' in app '" + ApiQuery.cut(appId) + "'.");
      }
      return ApiResult.ok(function(f));
    });
  }

  /** §8.12 (groupBy is a SHOULD not built yet: {@code groups} is always {@code []}). */
  ApiResult stats(ApiCall call) {
    ApiQuery q = call.query();
    Set<String> apps = q.ids(ApiParam.APP_IDS);
    Set<String> fns = q.ids(ApiParam.FUNCTION_IDS);
    if (!fns.isEmpty() && apps.isEmpty()) {
      q.error("app_id_required", "functionId needs appId: a function ID is unique only within"
          + " its app.", "functionId");
    }
    Long from = q.timestamp(ApiParam.FROM);
    Long until = q.timestamp(ApiParam.UNTIL);
    String timeField = q.enumOne(ApiParam.TIME_FIELD, "invalid_time_field");
    long end = until != null ? until : clock.millis();
    long start = from != null ? from : end - DAY;
    if (!q.hasErrors() && start >= end) {
      q.error("time_range_invalid", "from must be strictly before until.", "until");
    } else if (!q.hasErrors() && end - start > 31 * DAY) {
      q.error("time_range_too_large", "The stats window may span at most 31 days.", "until");
    }
    q.check();
    RunFilter window = new RunFilter(Set.of(), apps, fns, RunFilter.TimeField.valueOf(timeField),
        start, end, true, null, null, null, null);
    RunFilter active = window.withoutTime().withStatuses(Set.of(RunStatus.QUEUED,
        RunStatus.RUNNING));
    Object[] counts = store.read(tx -> new Object[] {tx.countRuns(window),
        tx.countRuns(active), tx.countWaits(window)});
    @SuppressWarnings("unchecked")
    Map<RunStatus, Long> w = (Map<RunStatus, Long>) counts[0];
    @SuppressWarnings("unchecked")
    Map<RunStatus, Long> a = (Map<RunStatus, Long>) counts[1];
    @SuppressWarnings("unchecked")
    Map<String, Long> waits = (Map<String, Long>) counts[2];
    ObjectNode data = ApiJson.F.objectNode();
    data.put("timeField", timeField);
    ObjectNode win = data.putObject("window");
    win.put("from", ApiJson.ts(start));
    win.put("until", ApiJson.ts(end));
    win.put("total", w.values().stream().mapToLong(Long::longValue).sum());
    ObjectNode byStatus = win.putObject("byStatus");
    for (RunStatus s : RunStatus.values()) {
      byStatus.put(s.name(), w.getOrDefault(s, 0L));
    }
    ObjectNode act = data.putObject("active");
    act.put("total", a.values().stream().mapToLong(Long::longValue).sum());
    ObjectNode actBy = act.putObject("byStatus");
    actBy.put("QUEUED", a.getOrDefault(RunStatus.QUEUED, 0L));
    actBy.put("RUNNING", a.getOrDefault(RunStatus.RUNNING, 0L));
    ObjectNode byWait = act.putObject("byWaitReason");
    for (String r : new String[] {"SLEEP", "WAIT_FOR_EVENT", "WAIT_FOR_SIGNAL", "RETRY"}) {
      byWait.put(r, waits.getOrDefault(r, 0L));
    }
    data.putArray("groups");
    data.put("groupsTruncated", false);
    return ApiResult.page(data, null, ApiWriter.timeRange(start, end));
  }
}
