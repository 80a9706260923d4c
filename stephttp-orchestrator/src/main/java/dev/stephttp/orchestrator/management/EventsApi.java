package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Signatures;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.EventFilter;
import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.Ulids;
import dev.stephttp.orchestrator.store.ReadStore;
import java.time.Clock;
import java.util.List;
import java.util.Set;

/**
 * Events of the management API: list (§8.18), get (§8.19) and send (§8.20); and signals (§8.22).
 */
public final class EventsApi {
  private static final long TS_MIN = 315532800000L; // 1980-01-01T00:00:00Z
  private static final long TS_MAX = 4102444800000L; // 2100-01-01T00:00:00Z
  private final ReadStore store;
  private final Engine engine;
  private final Clock clock;

  public EventsApi(ReadStore store, Engine engine, Clock clock) {
    this.store = store;
    this.engine = engine;
    this.clock = clock;
  }

  static ObjectNode event(EventRecord e, boolean withData) {
    JsonNode stored = ApiJson.parse(e.json());
    ObjectNode o = ApiJson.F.objectNode();
    o.put("id", e.id());
    o.put("name", e.name());
    JsonNode data = stored == null ? null : stored.get("data");
    JsonNode user = stored == null ? null : stored.get("user");
    o.set("data", !withData ? ApiJson.F.nullNode()
        : data != null && data.isObject() ? data : ApiJson.F.objectNode());
    o.set("user", withData && user != null && user.isObject() ? user : ApiJson.F.objectNode());
    JsonNode ts = stored == null ? null : stored.get("ts");
    o.put("ts", ts != null && ts.canConvertToLong() ? ts.longValue() : e.receivedAt());
    o.put("receivedAt", ApiJson.ts(e.receivedAt()));
    if (e.idempotencyKey() == null) {
      o.putNull("idempotencyKey");
    } else {
      o.put("idempotencyKey", e.idempotencyKey());
    }
    return o;
  }

  ApiResult list(ApiCall call) {
    ApiQuery q = call.query();
    Set<String> names = q.ids(ApiParam.NAMES);
    boolean internal = q.bool(ApiParam.INCLUDE_INTERNAL);
    Long from = q.timestamp(ApiParam.FROM);
    Long until = q.timestamp(ApiParam.UNTIL);
    if (from != null && until != null && from >= until) {
      q.error("time_range_invalid", "from must be strictly before until.", "until");
    }
    String order = q.enumOne(ApiParam.ORDER, "invalid_order");
    boolean withData = q.bool(ApiParam.INCLUDE_DATA);
    String hash = Cursor.hash("events", new java.util.TreeSet<>(names), internal, from, until);
    Cursor cursor = q.cursor("events", order, hash);
    int limit = q.integer(ApiParam.LIMIT, "limit_out_of_range");
    q.check();
    EventFilter f = new EventFilter(names, internal, from, until, order.equals("DESC"),
        cursor == null ? null : cursor.id());
    List<EventRecord> rows = store.read(tx -> tx.events(f, limit + 1));
    boolean more = rows.size() > limit;
    ArrayNode data = ApiJson.F.arrayNode();
    rows.stream().limit(limit).forEach(e -> data.add(event(e, withData)));
    String next = more ? new Cursor("events", order, hash, null, rows.get(limit - 1).id())
        .encode() : null;
    return ApiResult.page(data, ApiWriter.page(next, more, limit),
        ApiWriter.timeRange(from, until));
  }

  ApiResult get(ApiCall call) {
    ApiQuery q = call.query();
    String id = RunsApi.ulid(q, call.pathParam("eventId"), "invalid_event_id", "eventId");
    q.check();
    EventRecord e = store.read(tx -> tx.event(id));
    if (e == null) {
      throw ApiException.of("event_not_found", "No event with ID " + id + ".");
    }
    return ApiResult.ok(event(e, true)).withEtag("W/\"" + e.id() + "." + Cursor.hash("event",
        "1") + "\"");
  }

  private record Incoming(String name, ObjectNode data, JsonNode user, String key, Long ts,
      String fingerprint) {}

  private static Incoming validate(ApiCall call) {
    ObjectNode body = ApiJson.parseObject(call.body());
    ApiQuery q = call.query();
    JsonNode name = body.get("name");
    if (name == null || name.isNull() || (name.isTextual() && name.textValue().isBlank())) {
      q.error("event_name_required", "name is required and must not be blank.", "name");
    } else if (!name.isTextual()) {
      q.error("invalid_field_type", "name must be a string; found " + Op.typeOf(name) + ".",
          "name");
    } else if (name.textValue().length() > 512) {
      q.error("event_name_too_long", "name may have at most 512 characters; got "
          + name.textValue().length() + ".", "name");
    } else if (name.textValue().regionMatches(true, 0, "inngest/", 0, 8)) {
      q.error("event_name_reserved", "Event names starting with 'inngest/' are reserved.",
          "name");
    }
    JsonNode data = body.get("data");
    if (data != null && !data.isNull() && !data.isObject()) {
      q.error("invalid_event_data", "data must be an object; found " + Op.typeOf(data) + ".",
          "data");
    }
    JsonNode user = body.get("user");
    if (user != null && !user.isNull() && !user.isObject()) {
      q.error("invalid_event_user", "user must be an object; found " + Op.typeOf(user) + ".",
          "user");
    }
    String header = call.request().getHeader("Idempotency-Key");
    JsonNode id = body.get("id");
    String key = header;
    if (header != null && !validKey(header)) {
      q.error("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters without"
          + " control characters.", "Idempotency-Key");
    }
    if (id != null && !id.isNull()) {
      if (!id.isTextual()) {
        q.error("invalid_field_type", "id must be a string; found " + Op.typeOf(id) + ".", "id");
      } else if (!validKey(id.textValue())) {
        q.error("invalid_idempotency_key", "id must be 1 to 255 characters without control"
            + " characters.", "id");
      } else if (header != null && !header.equals(id.textValue())) {
        q.error("idempotency_key_mismatch", "Idempotency-Key and id differ.", "id");
      } else {
        key = id.textValue();
      }
    }
    JsonNode ts = body.get("ts");
    Long tsValue = null;
    if (ts != null && !ts.isNull()) {
      if (!ts.isIntegralNumber() || !ts.canConvertToLong()) {
        q.error("invalid_field_type", "ts must be an integer (Unix ms); found " + Op.typeOf(ts)
            + ".", "ts");
      } else if (ts.longValue() < TS_MIN || ts.longValue() > TS_MAX) {
        q.error("ts_out_of_range", "ts must be between 1980-01-01 and 2100-01-01.", "ts");
      } else {
        tsValue = ts.longValue();
      }
    }
    q.check();
    ObjectNode fp = ApiJson.F.objectNode();
    fp.set("name", name);
    fp.set("data", data == null ? ApiJson.F.nullNode() : data);
    fp.set("user", user == null ? ApiJson.F.nullNode() : user);
    fp.set("ts", ts == null ? ApiJson.F.nullNode() : ts);
    String fingerprint = ApiAuth.hash(new String(Signatures.canonicalJson(ApiJson.bytes(fp)),
        java.nio.charset.StandardCharsets.UTF_8));
    ObjectNode d = data != null && data.isObject() ? ((ObjectNode) data).deepCopy()
        : ApiJson.F.objectNode();
    d.remove("_inngest");
    return new Incoming(name.textValue(), d, user, key, tsValue, fingerprint);
  }

  private static boolean validKey(String k) {
    return !k.isEmpty() && k.length() <= 255 && k.chars().noneMatch(Character::isISOControl);
  }

  ApiResult send(ApiCall call) {
    Incoming in = validate(call);
    long now = clock.millis();
    String newId = Ulids.next();
    ObjectNode value = ApiJson.F.objectNode();
    value.put("name", in.name());
    value.set("data", in.data());
    value.set("user", in.user() != null && in.user().isObject() ? in.user()
        : ApiJson.F.objectNode());
    value.put("id", in.key() != null ? in.key() : newId);
    value.put("ts", in.ts() != null ? in.ts() : now);
    Engine.SentEvent sent = engine.sendEvent(newId, in.name(), value, in.key(),
        in.fingerprint());
    String eventId = sent.id();
    ObjectNode data = ApiJson.F.objectNode();
    data.put("eventId", eventId);
    ApiResult r = ApiResult.ok(data);
    if (sent.replayed()) {
      r.header("Idempotent-Replayed", "true");
    }
    if (in.user() != null) {
      r.header("Deprecation", "true"); // §2.1: user is deprecated
    }
    return r;
  }

  /** §8.22: resumes the run waiting for a signal; {@code signal_not_found} when none waits. */
  ApiResult signal(ApiCall call) {
    ObjectNode body = ApiJson.parseObject(call.body());
    ApiQuery q = call.query();
    JsonNode signal = body.get("signal");
    if (signal == null || signal.isNull() || (signal.isTextual() && signal.textValue().isBlank())) {
      q.error("signal_required", "signal is required and must not be blank.", "signal");
    } else if (!signal.isTextual()) {
      q.error("invalid_field_type", "signal must be a string; found " + Op.typeOf(signal) + ".",
          "signal");
    } else if (signal.textValue().length() > Settings.MAX_SIGNAL_NAME) {
      q.error("signal_too_long", "signal may have at most " + Settings.MAX_SIGNAL_NAME
          + " characters; got " + signal.textValue().length() + ".", "signal");
    }
    q.check();
    JsonNode data = body.get("data");
    String runId = engine.signal(signal.textValue(), data == null ? ApiJson.F.nullNode() : data);
    if (runId == null) {
      throw ApiException.of("signal_not_found", "No run is waiting for this signal.", "signal");
    }
    ObjectNode out = ApiJson.F.objectNode();
    out.put("runId", runId);
    return ApiResult.ok(out);
  }
}
