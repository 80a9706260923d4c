package dev.stephttp.orchestrator.management;

import java.util.List;

/**
 * One documented parameter of a management API route. The validator ({@link ApiQuery}) and the
 * OpenAPI document ({@link OpenApi}) both read these, so the limits they state cannot drift.
 *
 * @param in {@code query} or {@code path}
 * @param type {@code integer}, {@code boolean}, {@code string}, {@code date-time}, {@code ulid}
 * @param values allowed enum values (upper case), empty when not an enum
 * @param min minimum of an integer, or null
 * @param max maximum of an integer, or null
 * @param dflt default value, or null
 * @param multi repeated (and, for enums, comma-separated) values accepted
 */
record ApiParam(String name, String in, String type, List<String> values, Integer min,
    Integer max, Object dflt, boolean multi, String description) {

  static final List<String> RUN_STATUSES =
      List.of("QUEUED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED");

  static final ApiParam RUN_ID = path("runId", "ulid", "Run ID (ULID, case-insensitive)");
  static final ApiParam EVENT_ID = path("eventId", "ulid", "Event ID (ULID, case-insensitive)");
  static final ApiParam APP_ID = path("appId", "string", "App ID (the endpoint domain),"
      + " percent-encoded as one segment");
  static final ApiParam FUNCTION_ID = path("functionId", "string", "Function ID within the app,"
      + " percent-encoded as one segment");
  static final ApiParam LIMIT = new ApiParam("limit", "query", "integer", List.of(), 1, 100, 20,
      false, "Page size");
  static final ApiParam CURSOR = query("cursor", "string", "Opaque cursor from page.cursor");
  static final ApiParam INCLUDE_OUTPUT = new ApiParam("includeOutput", "query", "boolean",
      List.of(), null, null, false, false, "Include outputs and bodies");
  static final ApiParam MAX_OUTPUT_LIST = new ApiParam("maxOutputBytes", "query", "integer",
      List.of(), 1024, 65536, 4096, false, "Cap per payload in bytes");
  static final ApiParam MAX_OUTPUT_ONE = new ApiParam("maxOutputBytes", "query", "integer",
      List.of(), 1024, 1048576, 65536, false, "Cap per payload in bytes");
  static final ApiParam STATUS = new ApiParam("status", "query", "string", RUN_STATUSES, null,
      null, null, true, "Run statuses, repeated or comma-separated");
  static final ApiParam APP_IDS = multi("appId", "App IDs (repeated)");
  static final ApiParam FUNCTION_IDS = multi("functionId", "Function IDs (repeated); needs appId");
  static final ApiParam FROM = query("from", "date-time", "Inclusive lower time bound");
  static final ApiParam UNTIL = query("until", "date-time", "Exclusive upper time bound");
  static final ApiParam TIME_FIELD = new ApiParam("timeField", "query", "string",
      List.of("QUEUED_AT", "STARTED_AT", "ENDED_AT"), null, null, "QUEUED_AT", false,
      "Field for from/until and ordering");
  static final ApiParam ORDER = new ApiParam("order", "query", "string", List.of("ASC", "DESC"),
      null, null, "DESC", false, "Sort direction");
  static final ApiParam IS_DEFERRED = new ApiParam("isDeferred", "query", "boolean", List.of(),
      null, null, null, false, "Inngest parameter; this server has no deferred runs");
  static final ApiParam ARCHIVED = new ApiParam("archived", "query", "boolean", List.of(), null,
      null, false, false, "Archived apps (there are none)");
  static final ApiParam NAMES = multi("name", "Event names (repeated, exact match)");
  static final ApiParam INCLUDE_INTERNAL = new ApiParam("includeInternal", "query", "boolean",
      List.of(), null, null, true, false, "false leaves out inngest/ events");
  static final ApiParam INCLUDE_DATA = new ApiParam("includeData", "query", "boolean", List.of(),
      null, null, false, false, "Fill data and user");
  static final ApiParam RELATION = new ApiParam("relation", "query", "string",
      List.of("TRIGGERED", "RESUMED"), null, null, "TRIGGERED", false, "Relation to the event");

  private static ApiParam path(String name, String type, String description) {
    return new ApiParam(name, "path", type, List.of(), null, null, null, false, description);
  }

  private static ApiParam query(String name, String type, String description) {
    return new ApiParam(name, "query", type, List.of(), null, null, null, false, description);
  }

  private static ApiParam multi(String name, String description) {
    return new ApiParam(name, "query", "string", List.of(), null, null, null, true, description);
  }

  /** The run-list parameters (§8.7) without appId and functionId. */
  static List<ApiParam> runListTail() {
    return List.of(STATUS, FROM, UNTIL, TIME_FIELD, ORDER, IS_DEFERRED, INCLUDE_OUTPUT,
        MAX_OUTPUT_LIST, CURSOR, LIMIT);
  }
}
