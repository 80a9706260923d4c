package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StepTrace;
import java.util.List;
import java.util.Map;

/**
 * Builds the FunctionTrace of a run (docs/management-api.md §7.2, §8.9): a RUN span, one STEP span
 * per step in first-seen order, and ATTEMPT spans under RUN steps. Payloads are visited depth
 * first so the 8 MiB budget of §2.8 is spent in tree order.
 */
final class TraceViews {
  private TraceViews() {}

  static ObjectNode trace(RunRecord r, List<StepTrace> traces, Map<String, String> values,
      RunViews.Payloads p) {
    ObjectNode root = span(r.id(), r.fnSlug(), "RUN", runSpanStatus(r), null, null);
    times(root, r.createdAt(), r.startedAt(), r.status().terminal() ? r.endedAt() : 0);
    JsonNode out = ApiJson.parse(r.output());
    RunViews.payload(root, out != null && out.has("data") ? out : null, p);
    root.set("error", r.status() == RunStatus.FAILED
        ? RunViews.functionRun(r, traces, null, new RunViews.Payloads(false, 0)).get("error")
        : ApiJson.F.nullNode());
    ArrayNode children = root.putArray("children");
    for (StepTrace t : traces) {
      children.add(step(t, values.get(t.stepKey()), p));
    }
    ObjectNode data = ApiJson.F.objectNode();
    data.put("runId", r.id());
    data.set("rootSpan", root);
    return data;
  }

  private static String runSpanStatus(RunRecord r) {
    return r.status() == RunStatus.QUEUED ? "WAITING" : r.status().name();
  }

  private static ObjectNode span(String id, String name, String type, String status,
      String stepOp, String stepId) {
    ObjectNode s = ApiJson.F.objectNode();
    s.put("id", id);
    s.put("name", name);
    s.put("spanType", type);
    s.put("status", status);
    s.put("stepOp", stepOp);
    s.put("stepId", stepId);
    s.putNull("attempt");
    s.putNull("attempts");
    s.putNull("maxAttempts");
    s.putNull("error");
    s.putNull("wait");
    s.putNull("input");
    s.putArray("metadata");
    return s;
  }

  private static void times(ObjectNode s, long queued, long started, long ended) {
    s.put("queuedAt", ApiJson.ts(queued));
    ApiJson.putTs(s, "startedAt", started);
    ApiJson.putTs(s, "endedAt", ended);
    RunViews.putDuration(s, started, ended);
  }

  /** The step's output in span form: {@code {"data": value}} (§7.4 TraceSpan.output). */
  private static JsonNode stepOutput(StepTrace t, String stored) {
    if (stored == null || !t.status().equals(StepTrace.COMPLETED) || t.op().equals("SLEEP")) {
      return null;
    }
    JsonNode v = ApiJson.parse(stored);
    if (v == null || v.has("error")) {
      return null;
    }
    if (t.op().equals("RUN") && v.isObject() && v.has("data")) {
      return v;
    }
    ObjectNode wrapped = ApiJson.F.objectNode();
    wrapped.set("data", v);
    return wrapped;
  }

  private static ObjectNode step(StepTrace t, String stored, RunViews.Payloads p) {
    ObjectNode s = span(t.stepKey(), t.name(), "STEP", t.status(), t.op(), t.stepId());
    times(s, t.queuedAt(), t.startedAt(), t.endedAt());
    JsonNode output = stepOutput(t, stored);
    RunViews.payload(s, output, p);
    s.put("attempts", t.attempts());
    s.put("maxAttempts", t.maxAttempts());
    if (t.status().equals(StepTrace.FAILED)) {
      s.set("error", RunViews.runError(ApiJson.parse(t.error()), t.stepId()));
    }
    if (t.status().equals(StepTrace.WAITING) && t.waitReason() != null) {
      s.set("wait", RunViews.wait(t));
    }
    ArrayNode children = s.putArray("children");
    if (t.op().equals("RUN")) {
      JsonNode log = ApiJson.parse(t.attemptLog());
      int n = log == null ? 0 : log.size();
      for (int i = 0; i < n; i++) {
        children.add(attempt(t, log.get(i), i == n - 1 ? output : null, p));
      }
      if (t.status().equals(StepTrace.RUNNING)) {
        ObjectNode a = span(t.stepKey() + ":" + (n + 1), "Attempt " + (n + 1), "ATTEMPT",
            "RUNNING", null, t.stepId());
        times(a, t.queuedAt(), t.startedAt(), 0);
        a.put("attempt", n + 1);
        RunViews.payload(a, null, p);
        a.putArray("children");
        children.add(a);
      }
    }
    return s;
  }

  private static ObjectNode attempt(StepTrace t, JsonNode a, JsonNode output,
      RunViews.Payloads p) {
    int n = a.path("attempt").asInt();
    ObjectNode s = span(t.stepKey() + ":" + n, "Attempt " + n, "ATTEMPT",
        a.path("status").asText(), null, t.stepId());
    times(s, a.path("queuedAt").asLong(), a.path("startedAt").asLong(),
        a.path("endedAt").asLong());
    s.put("attempt", n);
    boolean failed = StepTrace.FAILED.equals(a.path("status").asText());
    RunViews.payload(s, failed ? null : output, p);
    if (failed) {
      s.set("error", RunViews.runError(a.get("error"), t.stepId()));
    }
    s.putArray("children");
    return s;
  }
}
