package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.engine.StreamCounts;
import dev.stephttp.orchestrator.model.ClientFamily;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.StepTrace;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Maps stored runs to the FunctionRun resource (docs/management-api.md §7.4) with the payload rules
 * of §2.8: payloads only when asked for, each capped, truncation reported.
 */
final class RunViews {
  private static final Set<String> REDACTED =
      Set.of("set-cookie", "authorization", "proxy-authorization", "cookie");

  /** What to include: {@code includeOutput} and the per-payload cap; a shared trace budget. */
  static final class Payloads {
    final boolean include;
    final int max;
    long budget = 8L * 1024 * 1024;

    Payloads(boolean include, int max) {
      this.include = include;
      this.max = max;
    }
  }

  private RunViews() {}

  static String status(RunRecord r) {
    return r.status().name();
  }

  /** The FunctionRun of {@code r}; {@code stream} is its relayed chunk counts, null when it never streamed. */
  static ObjectNode functionRun(RunRecord r, List<StepTrace> traces, StreamCounts.Counts stream,
      Payloads p) {
    ObjectNode o = ApiJson.F.objectNode();
    o.put("id", r.id());
    ObjectNode fn = o.putObject("function");
    fn.put("id", r.fnSlug());
    fn.put("name", r.fnSlug());
    fn.putObject("app").put("id", r.appSlug());
    o.putObject("app").put("id", r.appSlug());
    o.put("status", status(r));
    o.put("queuedAt", ApiJson.ts(r.createdAt()));
    ApiJson.putTs(o, "startedAt", r.startedAt());
    ApiJson.putTs(o, "endedAt", r.status().terminal() ? r.endedAt() : 0);
    putDuration(o, r.startedAt(), r.status().terminal() ? r.endedAt() : 0);
    ObjectNode trigger = o.putObject("trigger");
    ArrayNode ids = trigger.putArray("eventIds");
    if (r.eventId() != null) {
      ids.add(r.eventId());
    }
    trigger.put("eventName", r.family() == ClientFamily.GO ? ClientFamily.GO_EVENT
        : ClientFamily.TS_EVENT);
    trigger.put("isBatch", false);
    trigger.putNull("batchId");
    trigger.putNull("cronSchedule");
    JsonNode out = ApiJson.parse(r.output());
    payload(o, out != null && out.has("data") ? out : null, p);
    o.set("request", request(r, p));
    o.set("result", result(out, p));
    o.set("error", error(r, out, traces));
    o.set("waits", waits(r, traces));
    o.put("stepCount", traces.size());
    o.put("failedAttemptCount", failedAttempts(traces));
    if (stream == null) {
      o.putNull("stream");
    } else {
      o.putObject("stream").put("chunks", stream.chunks()).put("committed", stream.committed())
          .put("rolledBack", stream.rolledBack());
    }
    if (r.originalRunId() == null) {
      o.putNull("originalRunId");
    } else {
      o.put("originalRunId", r.originalRunId());
    }
    return o;
  }

  static void putDuration(ObjectNode o, long start, long end) {
    if (start > 0 && end > 0) {
      o.put("durationMs", Math.max(0, end - start));
    } else {
      o.putNull("durationMs");
    }
  }

  /** §2.8 for a JSON payload: {@code output}, {@code outputTruncated/SizeBytes/Preview}. */
  static void payload(ObjectNode o, JsonNode value, Payloads p) {
    if (value == null || value.isNull()) {
      o.putNull("output");
      o.put("outputTruncated", false);
      o.putNull("outputSizeBytes");
      o.putNull("outputPreview");
      return;
    }
    byte[] bytes = ApiJson.bytes(value);
    o.put("outputSizeBytes", bytes.length);
    if (!p.include) {
      o.putNull("output");
      o.put("outputTruncated", false);
      o.putNull("outputPreview");
    } else if (bytes.length <= p.max && bytes.length <= p.budget) {
      p.budget -= bytes.length;
      o.set("output", value);
      o.put("outputTruncated", false);
      o.putNull("outputPreview");
    } else {
      int cut = (int) Math.max(0, Math.min(p.max, p.budget));
      p.budget -= cut;
      o.putNull("output");
      o.put("outputTruncated", true);
      o.put("outputPreview", prefix(bytes, cut));
    }
  }

  /** The first {@code max} bytes of UTF-8 text, cut at a character boundary. */
  static String prefix(byte[] utf8, int max) {
    int end = Math.min(max, utf8.length);
    while (end > 0 && end < utf8.length && (utf8[end] & 0xC0) == 0x80) {
      end--;
    }
    return new String(utf8, 0, end, StandardCharsets.UTF_8);
  }

  private static ObjectNode request(RunRecord r, Payloads p) {
    ObjectNode q = ApiJson.F.objectNode();
    q.put("method", r.method().toUpperCase(Locale.ROOT));
    q.put("domain", r.appSlug());
    String url = r.url() == null ? "" : r.url();
    String rest = url.startsWith(r.appSlug()) ? url.substring(r.appSlug().length()) : url;
    int qm = rest.indexOf('?');
    q.put("path", qm < 0 ? rest : rest.substring(0, qm));
    q.put("query", qm < 0 ? "" : rest.substring(qm + 1));
    q.put("url", url);
    if (r.contentType() == null) {
      q.putNull("contentType");
    } else {
      q.put("contentType", r.contentType());
    }
    byte[] body = r.body() == null ? new byte[0] : r.body();
    bodyFields(q, body, p, true);
    return q;
  }

  private static void bodyFields(ObjectNode q, byte[] body, Payloads p, boolean withEncoding) {
    if (!p.include) {
      q.putNull("body");
      if (withEncoding) {
        q.putNull("bodyEncoding");
      }
      q.put("bodySizeBytes", body.length);
      q.put("bodyTruncated", false);
      return;
    }
    String text = utf8(body);
    boolean truncated = body.length > p.max;
    String value;
    if (text != null) {
      value = truncated ? prefix(body, p.max) : text;
    } else {
      byte[] cut = truncated ? java.util.Arrays.copyOf(body, p.max) : body;
      value = Base64.getEncoder().encodeToString(cut);
    }
    q.put("body", value);
    if (withEncoding) {
      q.put("bodyEncoding", text != null ? "UTF8" : "BASE64");
    }
    q.put("bodySizeBytes", body.length);
    q.put("bodyTruncated", truncated);
  }

  private static String utf8(byte[] b) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  private static JsonNode result(JsonNode out, Payloads p) {
    JsonNode data = out == null ? null : out.get("data");
    if (data == null || !data.isObject() || !data.path("status").canConvertToInt()) {
      return ApiJson.F.nullNode();
    }
    ObjectNode res = ApiJson.F.objectNode();
    res.put("statusCode", data.get("status").asInt());
    ObjectNode headers = res.putObject("headers");
    for (Map.Entry<String, JsonNode> h : data.path("headers").properties()) {
      JsonNode v = h.getValue().isArray() ? h.getValue().path(0) : h.getValue();
      headers.put(h.getKey(), REDACTED.contains(h.getKey().toLowerCase(Locale.ROOT))
          ? "[REDACTED]" : v.asText());
    }
    if (data.path("body").isTextual()) {
      bodyFields(res, data.get("body").textValue().getBytes(StandardCharsets.UTF_8), p, false);
    } else {
      res.putNull("body");
      res.putNull("bodySizeBytes");
      res.put("bodyTruncated", false);
    }
    return res;
  }

  /** RunError (§7.4) from a stored error object, or null. */
  static JsonNode runError(JsonNode err, String stepId) {
    if (err == null || !err.isObject()) {
      return ApiJson.F.nullNode();
    }
    ObjectNode e = ApiJson.F.objectNode();
    e.put("name", err.path("name").isTextual() ? err.get("name").textValue() : "Error");
    e.put("message", cut(err.path("message").asText(""), 4096));
    String stack = err.path("stack").isTextual() ? err.get("stack").textValue() : null;
    if (stack == null || stack.isEmpty()) {
      e.putNull("stack");
    } else {
      e.put("stack", cut(stack, 16384));
    }
    if (stepId == null) {
      e.putNull("stepId");
    } else {
      e.put("stepId", stepId);
    }
    return e;
  }

  private static String cut(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max);
  }

  private static JsonNode error(RunRecord r, JsonNode out, List<StepTrace> traces) {
    if (r.status() != RunStatus.FAILED) {
      return ApiJson.F.nullNode();
    }
    if (out != null && out.has("error")) {
      return runError(out.get("error"), null);
    }
    for (int i = traces.size() - 1; i >= 0; i--) {
      StepTrace t = traces.get(i);
      if (t.status().equals(StepTrace.FAILED)) {
        return runError(ApiJson.parse(t.error()), t.stepId());
      }
    }
    ObjectNode e = ApiJson.F.objectNode();
    e.put("name", "HttpError");
    e.put("message", "The endpoint answered with status "
        + (out == null ? "unknown" : out.path("data").path("status").asText()) + ".");
    e.putNull("stack");
    e.putNull("stepId");
    return e;
  }

  static ArrayNode waits(RunRecord r, List<StepTrace> traces) {
    ArrayNode a = ApiJson.F.arrayNode();
    if (r.status() != RunStatus.RUNNING) {
      return a;
    }
    for (StepTrace t : traces) {
      if (t.waitReason() != null) {
        a.add(wait(t));
      }
    }
    return a;
  }

  /** RunWait (§7.4) of a waiting step. */
  static ObjectNode wait(StepTrace t) {
    JsonNode w = ApiJson.parse(t.waitJson());
    ObjectNode o = ApiJson.F.objectNode();
    o.put("reason", t.waitReason());
    o.put("stepId", t.stepId());
    o.put("since", ApiJson.ts(w == null ? t.queuedAt() : w.path("since").asLong(t.queuedAt())));
    ApiJson.putTs(o, "until", w == null ? 0 : w.path("until").asLong(0));
    o.set("eventName", w == null ? ApiJson.F.nullNode() : w.path("eventName").isTextual()
        ? w.get("eventName") : ApiJson.F.nullNode());
    o.set("signal", w == null ? ApiJson.F.nullNode() : w.path("signal").isTextual()
        ? w.get("signal") : ApiJson.F.nullNode());
    o.set("if", w == null ? ApiJson.F.nullNode() : w.path("if").isTextual()
        ? w.get("if") : ApiJson.F.nullNode());
    o.set("nextAttempt", w != null && w.path("nextAttempt").canConvertToInt()
        ? w.get("nextAttempt") : ApiJson.F.nullNode());
    return o;
  }

  static int failedAttempts(List<StepTrace> traces) {
    int n = 0;
    for (StepTrace t : traces) {
      JsonNode log = ApiJson.parse(t.attemptLog());
      if (log != null) {
        for (JsonNode a : log) {
          if (StepTrace.FAILED.equals(a.path("status").asText())) {
            n++;
          }
        }
      }
    }
    return n;
  }
}
