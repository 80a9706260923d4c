package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.engine.Settings;

/**
 * Component schemas of the OpenAPI document (docs/management-api.md §7.4, §9), written in a compact
 * notation: {@code "name:type"} with types {@code string}, {@code integer}, {@code boolean},
 * {@code ts}, {@code ulid}, {@code object}, {@code any}, a component name, {@code [T]} for
 * arrays and a trailing {@code ?} for nullable. Every listed field is required (§2.3: always
 * present).
 */
final class ApiSchemas {
  static final String ULID_PATTERN = "^[0-9A-HJKMNP-TV-Za-hjkmnp-tv-z]{26}$";

  private ApiSchemas() {}

  static ObjectNode all() {
    ObjectNode s = ApiJson.F.objectNode();
    enumeration(s, "RunStatus", ApiParam.RUN_STATUSES.toArray(String[]::new));
    enumeration(s, "TraceSpanStatus", "UNKNOWN", "RUNNING", "COMPLETED", "FAILED", "WAITING",
        "CANCELLED", "SKIPPED");
    enumeration(s, "TraceStepOp", "RUN", "SLEEP", "WAIT_FOR_EVENT", "INVOKE", "SEND_EVENT",
        "AI_GATEWAY", "WAIT_FOR_SIGNAL");
    enumeration(s, "WaitReason", "SLEEP", "WAIT_FOR_EVENT", "WAIT_FOR_SIGNAL", "RETRY");
    enumeration(s, "SpanType", "RUN", "STEP", "ATTEMPT");
    enumeration(s, "AuthMode", "DEV", "SIGNING_KEY", "SESSION");
    obj(s, "AppRef", "id:string");
    obj(s, "FunctionRef", "id:string", "name:string", "app:AppRef");
    obj(s, "RunTrigger", "eventIds:[ulid]", "eventName:string?", "isBatch:boolean",
        "batchId:string?", "cronSchedule:string?");
    obj(s, "RunRequest", "method:string", "domain:string", "path:string", "query:string?",
        "url:string", "contentType:string?", "body:string?", "bodyEncoding:string?",
        "bodySizeBytes:integer?", "bodyTruncated:boolean");
    obj(s, "RunResult", "statusCode:integer", "headers:object", "body:string?",
        "bodySizeBytes:integer?", "bodyTruncated:boolean");
    obj(s, "RunError", "name:string", "message:string", "stack:string?", "stepId:string?");
    obj(s, "RunWait", "reason:WaitReason", "stepId:string", "since:ts", "until:ts?",
        "eventName:string?", "signal:string?", "if:string?", "nextAttempt:integer?");
    obj(s, "RunStream", "chunks:integer", "committed:integer", "rolledBack:integer");
    obj(s, "FunctionRun", "id:ulid", "function:FunctionRef", "app:AppRef", "status:RunStatus",
        "queuedAt:ts", "startedAt:ts?", "endedAt:ts?", "durationMs:integer?",
        "trigger:RunTrigger", "output:object?", "outputTruncated:boolean",
        "outputSizeBytes:integer?", "outputPreview:string?", "request:RunRequest",
        "result:RunResult?", "error:RunError?", "waits:[RunWait]", "stepCount:integer",
        "failedAttemptCount:integer", "stream:RunStream?", "originalRunId:ulid?");
    obj(s, "TraceSpan", "id:string", "name:string", "spanType:SpanType",
        "status:TraceSpanStatus", "stepOp:TraceStepOp?", "stepId:string?",
        "durationMs:integer?", "queuedAt:ts", "startedAt:ts?", "endedAt:ts?", "input:object?",
        "output:any", "outputTruncated:boolean", "outputSizeBytes:integer?",
        "outputPreview:string?", "metadata:[object]", "children:[TraceSpan]",
        "attempt:integer?", "attempts:integer?", "maxAttempts:integer?", "error:RunError?",
        "wait:RunWait?");
    obj(s, "FunctionTrace", "runId:ulid", "rootSpan:TraceSpan");
    obj(s, "CancelResult", "runId:ulid", "status:RunStatus", "cancelledAt:ts");
    obj(s, "RerunResult", "runId:ulid", "originalRunId:ulid");
    obj(s, "App", "id:string", "name:string", "method:string", "appVersion:string?",
        "createdAt:ts", "isArchived:boolean", "archivedAt:ts?", "functionCount:integer",
        "latestSync:object?", "lastSeenAt:ts");
    obj(s, "Function", "id:string", "name:string", "slug:string", "isPaused:boolean",
        "isArchived:boolean", "app:AppRef", "triggers:[object]", "failureHandler:object?",
        "configuration:object", "createdAt:ts", "lastSeenAt:ts");
    obj(s, "Event", "id:ulid", "name:string", "data:object?", "user:object", "ts:integer",
        "receivedAt:ts", "idempotencyKey:string?");
    obj(s, "SendEventRequest", "name:string");
    ObjectNode send = (ObjectNode) s.get("SendEventRequest");
    ObjectNode props = (ObjectNode) send.get("properties");
    ((ObjectNode) props.get("name")).put("maxLength", 512);
    props.set("data", type("object?"));
    props.set("user", type("object?"));
    props.set("id", type("string?"));
    ((ObjectNode) props.get("id")).put("maxLength", 255);
    props.set("ts", type("integer?"));
    obj(s, "SendEventResult", "eventId:ulid");
    obj(s, "SendSignalRequest", "signal:string");
    ObjectNode signal = (ObjectNode) s.get("SendSignalRequest").get("properties");
    ((ObjectNode) signal.get("signal")).put("maxLength", Settings.MAX_SIGNAL_NAME);
    signal.set("data", type("any"));
    obj(s, "SendSignalResult", "runId:ulid");
    obj(s, "LoginRequest", "signingKey:string");
    obj(s, "Session", "authMode:AuthMode", "expiresAt:ts?");
    obj(s, "Health", "status:string");
    obj(s, "ReadyCheck", "name:string", "status:string", "durationMs:integer");
    obj(s, "Ready", "status:string", "checks:[ReadyCheck]");
    obj(s, "CountsByStatus", "total:integer", "byStatus:object");
    obj(s, "StatsWindow", "from:ts", "until:ts", "total:integer", "byStatus:object");
    obj(s, "StatsActive", "total:integer", "byStatus:object", "byWaitReason:object");
    obj(s, "RunStats", "timeField:string", "window:StatsWindow", "active:StatsActive",
        "groups:[object]", "groupsTruncated:boolean");
    obj(s, "TimeRange", "from:ts?", "until:ts?");
    obj(s, "ResponseMetadata", "fetchedAt:ts", "cachedUntil:ts?", "requestId:string",
        "timeRange:TimeRange?");
    obj(s, "Page", "cursor:string?", "hasMore:boolean", "limit:integer");
    obj(s, "Error", "code:string", "message:string", "field:string?");
    obj(s, "ErrorResponse", "errors:[Error]", "metadata:ResponseMetadata");
    ((ObjectNode) s.get("ErrorResponse").get("properties").get("errors")).put("minItems", 1);
    return s;
  }

  private static void enumeration(ObjectNode s, String name, String... values) {
    ObjectNode e = s.putObject(name);
    e.put("type", "string");
    ArrayNode a = e.putArray("enum");
    for (String v : values) {
      a.add(v);
    }
  }

  private static void obj(ObjectNode s, String name, String... fields) {
    ObjectNode o = s.putObject(name);
    o.put("type", "object");
    ArrayNode required = o.putArray("required");
    ObjectNode props = o.putObject("properties");
    for (String f : fields) {
      int colon = f.indexOf(':');
      required.add(f.substring(0, colon));
      props.set(f.substring(0, colon), type(f.substring(colon + 1)));
    }
  }

  /** JSON Schema of a notation type; nullability as 3.1 type arrays or oneOf with null. */
  static ObjectNode type(String t) {
    boolean nullable = t.endsWith("?");
    String base = nullable ? t.substring(0, t.length() - 1) : t;
    ObjectNode n = ApiJson.F.objectNode();
    if (base.startsWith("[")) {
      setType(n, "array", nullable);
      n.set("items", type(base.substring(1, base.length() - 1)));
      return n;
    }
    switch (base) {
      case "string", "integer", "boolean", "object" -> setType(n, base, nullable);
      case "ts" -> {
        setType(n, "string", nullable);
        n.put("format", "date-time");
      }
      case "ulid" -> {
        setType(n, "string", nullable);
        n.put("pattern", ULID_PATTERN);
      }
      case "any" -> {
        // any JSON value
      }
      default -> {
        if (nullable) {
          ArrayNode one = n.putArray("oneOf");
          one.addObject().put("$ref", "#/components/schemas/" + base);
          one.addObject().put("type", "null");
        } else {
          n.put("$ref", "#/components/schemas/" + base);
        }
      }
    }
    return n;
  }

  private static void setType(ObjectNode n, String type, boolean nullable) {
    if (nullable) {
      n.putArray("type").add(type).add("null");
    } else {
      n.put("type", type);
    }
  }
}
