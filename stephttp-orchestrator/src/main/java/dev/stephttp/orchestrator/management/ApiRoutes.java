package dev.stephttp.orchestrator.management;

import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.engine.StreamCounts;
import dev.stephttp.orchestrator.store.ReadStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;

/**
 * The management API's route table (docs/management-api.md §1) and its assembly: every MUST route,
 * with its auth, rate category, documented parameters and statuses. The OpenAPI document is
 * generated from this same table.
 */
public final class ApiRoutes {
  private static final List<Integer> COMMON_GET = List.of(400, 401, 403, 405, 406, 429, 500, 503);
  private static final List<Integer> COMMON_POST =
      List.of(400, 401, 403, 405, 406, 413, 415, 429, 500, 503);

  private ApiRoutes() {}

  /**
   * Builds the servlet serving {@code /api/v2/*} and {@code /v2/*}.
   *
   * @param store reads only: every change goes through {@code engine}
   * @param streams the runs' relayed chunk counts, shown on their views
   * @param clock the orchestrator's one clock (sessions, rate limits, response metadata)
   * @param sinceSchedulerTick milliseconds since the scheduler's timer loop last went round, -1
   *     before it went round once (readiness)
   */
  public static ManagementServlet servlet(ReadStore store, Engine engine, StreamCounts streams,
      Settings settings, Quotas limits, Set<String> corsOrigins, Clock clock,
      LongSupplier sinceSchedulerTick, BooleanSupplier shuttingDown) {
    ApiAuth auth = new ApiAuth(settings, clock);
    ApiGate gate = new ApiGate(auth, new RateLimiter(clock), limits, corsOrigins);
    List<ApiRoute> routes = routes(new RunsApi(store, engine, streams, clock),
        new CatalogApi(store, clock), new EventsApi(store, engine, clock),
        new SystemApi(store, gate, sinceSchedulerTick, shuttingDown));
    return new ManagementServlet(new ApiRouter(routes), gate, clock);
  }

  static String version() {
    String v = ApiRoutes.class.getPackage().getImplementationVersion();
    return v == null ? "0.1.0-SNAPSHOT" : v;
  }

  public static List<ApiRoute> routes(RunsApi runs, CatalogApi catalog, EventsApi events,
      SystemApi system) {
    List<ApiRoute> r = new ArrayList<>();
    OpenApi[] doc = new OpenApi[1];
    r.add(new ApiRoute("GET", "/health", "Health", "Internal", false, "exempt", List.of(),
        List.of(405, 500), null, "Health", "Liveness", system::health));
    r.add(new ApiRoute("GET", "/ready", "Ready", "Internal", false, "exempt", List.of(),
        List.of(405, 500, 503), null, "Ready", "Readiness: storage, scheduler, recovery",
        system::ready));
    r.add(new ApiRoute("GET", "/openapi.json", "GetOpenApiDocument", "Internal", false,
        "exempt", List.of(), List.of(405, 406), null, "OpenApiDocument", "This document",
        call -> doc[0].serve(call)));
    r.add(new ApiRoute("POST", "/login", "Login", "Auth", false, "login", List.of(),
        List.of(400, 401, 403, 405, 413, 415, 429), "LoginRequest", "Session",
        "Exchange a signing key for a session cookie", system::login));
    r.add(new ApiRoute("POST", "/logout", "Logout", "Auth", false, "exempt", List.of(),
        List.of(405), null, null, "End the session", system::logout));
    List<ApiParam> ordered = List.of(ApiParam.STATUS, ApiParam.APP_IDS, ApiParam.FUNCTION_IDS,
        ApiParam.FROM, ApiParam.UNTIL, ApiParam.TIME_FIELD, ApiParam.ORDER, ApiParam.IS_DEFERRED,
        ApiParam.INCLUDE_OUTPUT, ApiParam.MAX_OUTPUT_LIST, ApiParam.CURSOR, ApiParam.LIMIT);
    r.add(new ApiRoute("GET", "/runs", "ListRuns", "Runs", true, "read", ordered, COMMON_GET,
        null, "[FunctionRun]", "List runs", runs::list));
    List<ApiParam> one = List.of(ApiParam.RUN_ID, ApiParam.INCLUDE_OUTPUT,
        ApiParam.MAX_OUTPUT_ONE);
    r.add(new ApiRoute("GET", "/runs/{runId}", "GetFunctionRun", "Runs", true, "read", one,
        plus(COMMON_GET, 404), null, "FunctionRun", "Get a run", runs::get));
    r.add(new ApiRoute("GET", "/runs/{runId}/trace", "GetFunctionTrace", "Runs", true, "read",
        one, plus(COMMON_GET, 404), null, "FunctionTrace", "Get a run's trace", runs::trace));
    r.add(new ApiRoute("POST", "/runs/{runId}/cancel", "CancelRun", "Runs", true, "write",
        List.of(ApiParam.RUN_ID), plus(COMMON_POST, 404, 409), null, "CancelResult",
        "Cancel a QUEUED or RUNNING run", runs::cancel));
    r.add(new ApiRoute("POST", "/runs/{runId}/rerun", "Rerun", "Runs", true, "events",
        List.of(ApiParam.RUN_ID), plus(COMMON_POST, 404, 422), null, "RerunResult",
        "Rerun a run from its recorded request", runs::rerun));
    r.add(new ApiRoute("GET", "/stats/runs", "GetRunStats", "Stats", true, "read",
        List.of(ApiParam.APP_IDS, ApiParam.FUNCTION_IDS, ApiParam.FROM, ApiParam.UNTIL,
            ApiParam.TIME_FIELD), COMMON_GET, null, "RunStats", "Run counters",
        catalog::stats));
    r.add(new ApiRoute("GET", "/apps", "GetApps", "Apps", true, "read",
        List.of(ApiParam.ARCHIVED, ApiParam.CURSOR, ApiParam.LIMIT), COMMON_GET, null, "[App]",
        "List apps", catalog::apps));
    r.add(new ApiRoute("GET", "/apps/{appId}", "GetApp", "Apps", true, "read",
        List.of(ApiParam.APP_ID), plus(COMMON_GET, 404), null, "App", "Get an app",
        catalog::getApp));
    r.add(new ApiRoute("GET", "/apps/{appId}/functions", "GetFunctions", "Functions", true,
        "read", List.of(ApiParam.APP_ID, ApiParam.CURSOR, ApiParam.LIMIT),
        plus(COMMON_GET, 404), null, "[Function]", "List an app's functions",
        catalog::functions));
    r.add(new ApiRoute("GET", "/apps/{appId}/functions/{functionId}", "GetFunction",
        "Functions", true, "read", List.of(ApiParam.APP_ID, ApiParam.FUNCTION_ID),
        plus(COMMON_GET, 404), null, "Function", "Get a function", catalog::getFunction));
    List<ApiParam> fnRuns = new ArrayList<>(List.of(ApiParam.APP_ID, ApiParam.FUNCTION_ID));
    fnRuns.addAll(ApiParam.runListTail());
    r.add(new ApiRoute("GET", "/apps/{appId}/functions/{functionId}/runs", "ListFunctionRuns",
        "Functions", true, "read", fnRuns, plus(COMMON_GET, 404), null, "[FunctionRun]",
        "List a function's runs", runs::functionRuns));
    r.add(new ApiRoute("GET", "/events", "ListEvents", "Events", true, "read",
        List.of(ApiParam.NAMES, ApiParam.INCLUDE_INTERNAL, ApiParam.FROM, ApiParam.UNTIL,
            ApiParam.ORDER, ApiParam.INCLUDE_DATA, ApiParam.CURSOR, ApiParam.LIMIT), COMMON_GET,
        null, "[Event]", "List events", events::list));
    r.add(new ApiRoute("GET", "/events/{eventId}", "GetEvent", "Events", true, "read",
        List.of(ApiParam.EVENT_ID), plus(COMMON_GET, 404), null, "Event", "Get an event",
        events::get));
    r.add(new ApiRoute("POST", "/events", "SendEvent", "Events", true, "events", List.of(),
        plus(COMMON_POST, 409), "SendEventRequest", "SendEventResult", "Send an event",
        events::send));
    r.add(new ApiRoute("GET", "/events/{eventId}/runs", "GetEventRuns", "Events", true, "read",
        List.of(ApiParam.EVENT_ID, ApiParam.RELATION, ApiParam.INCLUDE_OUTPUT,
            ApiParam.MAX_OUTPUT_LIST, ApiParam.CURSOR, ApiParam.LIMIT), plus(COMMON_GET, 404),
        null, "[FunctionRun]", "Runs an event started or resumed", runs::eventRuns));
    r.add(new ApiRoute("POST", "/signals", "SendSignal", "Events", true, "events", List.of(),
        plus(COMMON_POST, 404), "SendSignalRequest", "SendSignalResult",
        "Resume the run waiting for a signal", events::signal));
    doc[0] = new OpenApi(r, version());
    return List.copyOf(r);
  }

  private static List<Integer> plus(List<Integer> base, Integer... more) {
    List<Integer> out = new ArrayList<>(base);
    out.addAll(List.of(more));
    out.sort(Integer::compare);
    return out;
  }
}
