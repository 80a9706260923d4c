package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.UuidV5;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.ClientFamily;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.RequestJson;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.Ulids;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.HttpUrl;

/** Validation and decoding of create-run and checkpoint request bodies (docs/protocol.md §2.1–2.2). */
final class RunRequests {
  private static final java.util.regex.Pattern METHOD =
      java.util.regex.Pattern.compile("[A-Za-z]{1,20}"); // compiled once: hot path

  /** Domains known to be http(s) URLs by themselves ({@link #isHttpUrl}); bounded. */
  private static final Map<String, Boolean> URL_DOMAINS = new ConcurrentHashMap<>();
  private static final int MAX_URL_DOMAINS = 1024;
  /** App and function IDs by domain and function slug ({@link #ids}); bounded. */
  private static final Map<String, String[]> IDS = new ConcurrentHashMap<>();

  /** A validated create-run request. */
  record Create(RunRecord run, List<Op> ops, String eventName) {}

  /** A create-run's event data when it is absent or null. */
  private static final RequestJson.EventData NO_DATA =
      new RequestJson.EventData("{}", null, null, null, null, null, null, null);

  private RunRequests() {}

  /** The create-run request in {@code body} (read by {@link RequestJson#read}). */
  static Create parseCreate(RequestJson.Body body, long now) {
    requireObject(body, "request body");
    String runId = ulid(body.runId(), "run_id");
    RequestJson.Event ev = body.event();
    if (ev == null) {
      throw notObject("event", body.eventNode());
    }
    String name = text(ev.name(), "event.name", true);
    if (name.isEmpty()) {
      throw new BadRequest("Invalid request body: event.name must not be empty");
    }
    RequestJson.EventData data = ev.data();
    if (data == null) {
      if (ev.dataNode() != null && !ev.dataNode().isNull()) {
        throw notObject("event.data", ev.dataNode());
      }
      data = NO_DATA;
    }
    ClientFamily family = ClientFamily.ofEventName(name);
    String domain = text(data.domain(), "event.data.domain", true);
    String method = text(data.method(), "event.data.method", false);
    String path = text(data.path(), "event.data.path", false);
    String fn = text(data.fn(), "event.data.fn", false);
    String query = text(data.queryParams(), "event.data.query_params", false);
    String contentType = text(data.contentType(), "event.data.content_type", false);
    if (!printableAscii(contentType)) {
      throw new BadRequest("Invalid request body: event.data.content_type: expected printable"
          + " ASCII (it is replayed as a header)");
    }
    byte[] replay = body(data.body(), family);
    String url = domain + path;
    if (!query.isEmpty()) {
      url += (url.contains("?") ? "&" : "?") + query; // §5.1 RECOMMENDATION: for both clients
    }
    if (!isHttpUrl(domain, path, url)) {
      throw new BadRequest("Invalid request body: event.data.domain and event.data.path do not"
          + " form an http(s) URL");
    }
    if (method.isEmpty()) {
      method = "POST"; // §5.1: POST when unknown
    }
    if (!METHOD.matcher(method).matches()) {
      throw new BadRequest("Invalid request body: event.data.method: expected an HTTP method"
          + " name but found \"" + abbreviate(method) + "\"");
    }
    String event = triggerEvent(ev, name, data.text(), now);
    int requestVersion = optInt(body.requestVersion(), "request_version", -1);
    int retries = optInt(body.retries(), "retries", 0);
    if (retries < 0) {
      retries = 4; // §9.3: negative → default 4
    }
    retries = Math.min(retries, Settings.MAX_RETRIES);
    text(body.idempotency(), "idempotency", false);
    List<Op> ops = body.steps().ops("Invalid request body: steps");
    String slug = fn.isEmpty() ? method + " " + path : fn;
    String[] ids = ids(domain, slug);
    RunRecord run = new RunRecord(runId, RunStatus.RUNNING, ids[0], ids[1],
        family, event, method, url, contentType.isEmpty() ? null : contentType,
        replay, requestVersion, retries, false, 0, now, 0, null, domain, slug, now, null,
        null);
    return new Create(run.withEventId(Ulids.next()), ops, name);
  }

  private static boolean printableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c >= 0x7f) {
        return false;
      }
    }
    return true;
  }

  /** The app and function IDs (§2.1, UUIDv5 of the domain and slug), hashed once per pair. */
  private static String[] ids(String domain, String slug) {
    String key = domain + '\n' + slug;
    String[] ids = IDS.get(key);
    if (ids == null) {
      UUID appId = UuidV5.appId(UuidV5.DEV_ENV, domain);
      ids = new String[] {appId.toString(), UuidV5.functionId(appId, slug).toString()};
      if (IDS.size() >= MAX_URL_DOMAINS) {
        IDS.clear();
      }
      IDS.put(key, ids);
    }
    return ids;
  }

  /**
   * Whether {@code url} ({@code domain + path}, perhaps with a query) is an http(s) URL as
   * okhttp's {@link HttpUrl} reads it, parsing each app's domain once rather than every URL
   * (the parse was 5% of the orchestrator's CPU per run; BENCHMARKS.md). The parser fails only
   * on the scheme, host and port, which end where a path, query or fragment begins, and trims
   * surrounding whitespace: so when a domain without trailing whitespace is a URL by itself, any
   * path that is empty or starts with {@code /} gives a URL too.
   */
  static boolean isHttpUrl(String domain, String path, String url) {
    if ((path.isEmpty() || path.charAt(0) == '/') && URL_DOMAINS.containsKey(domain)) {
      return true;
    }
    if (HttpUrl.parse(url) == null) {
      return false;
    }
    char last = domain.isEmpty() ? ' ' : domain.charAt(domain.length() - 1);
    if (" \t\n\f\r".indexOf(last) < 0 && HttpUrl.parse(domain) != null) {
      if (URL_DOMAINS.size() >= MAX_URL_DOMAINS) {
        URL_DOMAINS.clear();
      }
      URL_DOMAINS.put(domain, Boolean.TRUE);
    }
    return true;
  }

  /**
   * The stored trigger event: name, data (as received when compact), id, ts, user and v, the
   * JSON text its tree would serialise to.
   */
  private static String triggerEvent(RequestJson.Event ev, String name, String data, long now) {
    StringWriter w = new StringWriter(64 + data.length());
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeFieldName("data");
      g.writeRawValue(data);
      JsonNode id = ev.id();
      g.writeStringField("id", id != null && id.isTextual() && !id.textValue().isEmpty()
          ? id.textValue() : Ulids.next());
      JsonNode ts = ev.ts();
      g.writeNumberField("ts", ts != null && ts.isIntegralNumber() ? ts.longValue() : now);
      JsonNode user = ev.user();
      g.writeFieldName("user");
      g.writeRawValue(user != null && user.isObject() ? user.toString() : "{}");
      JsonNode v = ev.v();
      if (v != null && v.isTextual()) {
        g.writeStringField("v", v.textValue());
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing to a string", e);
    }
    return w.toString();
  }

  /** §2.1 RECOMMENDATION: base64 for Go runs, literal UTF-8 text for TS/Java runs. */
  private static byte[] body(JsonNode n, ClientFamily family) {
    if (n == null || n.isNull()) {
      return new byte[0];
    }
    if (!n.isTextual()) {
      throw new BadRequest("Invalid request body: event.data.body: expected a string but found "
          + Op.typeOf(n));
    }
    if (family == ClientFamily.TS) {
      return n.textValue().getBytes(StandardCharsets.UTF_8);
    }
    try {
      return Base64.getDecoder().decode(n.textValue());
    } catch (IllegalArgumentException e) {
      throw new BadRequest("Invalid request body: event.data.body: expected base64 for "
          + ClientFamily.GO_EVENT + " events");
    }
  }

  /** {@code /steps}: run_id is authoritative when present (§2.2). */
  static String stepsRunId(RequestJson.Body body, String pathRunId) {
    requireObject(body, "request body");
    JsonNode id = body.runId();
    if (id == null || id.isNull()) {
      return ulid(JsonNodeFactory.instance.textNode(pathRunId), "run ID in the path");
    }
    return ulid(id, "run_id");
  }

  private static void requireObject(RequestJson.Body body, String what) {
    if (body.root() != null) {
      throw notObject(what, body.root());
    }
  }

  private static BadRequest notObject(String what, JsonNode n) {
    return new BadRequest("Invalid request body: " + what + ": expected an object but found "
        + Op.typeOf(n));
  }

  static String ulid(JsonNode n, String what) {
    if (n == null || !n.isTextual() || !Ulids.isValid(n.textValue())) {
      throw new BadRequest("Invalid request body: " + what + ": expected a ULID string but found "
          + (n != null && n.isTextual() ? "\"" + abbreviate(n.textValue()) + "\"" : Op.typeOf(n)));
    }
    return n.textValue().toUpperCase(java.util.Locale.ROOT);
  }


  static String text(JsonNode n, String what, boolean required) {
    if (n == null || n.isNull()) {
      if (required) {
        throw new BadRequest("Invalid request body: " + what + ": expected a string but found "
            + Op.typeOf(n));
      }
      return "";
    }
    if (!n.isTextual()) {
      throw new BadRequest("Invalid request body: " + what + ": expected a string but found "
          + Op.typeOf(n));
    }
    return n.textValue();
  }

  static int optInt(JsonNode n, String what, int dflt) {
    if (n == null || n.isNull()) {
      return dflt;
    }
    if (!n.isIntegralNumber() || !n.canConvertToInt()) {
      throw new BadRequest("Invalid request body: " + what + ": expected an integer but found "
          + Op.typeOf(n));
    }
    return n.intValue();
  }

  static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "…";
  }
}
