package dev.stephttp.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.ulid.UlidCreator;
import dev.stephttp.internal.wire.Json;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /e/{eventKey}} (docs/protocol.md §10.1): validates every event before storing any,
 * then stores them and resolves the waits they match in one transaction.
 */
final class EventEndpoint {

  /** A validated event: internal id and the object stored for a matched wait step (§4). */
  record Incoming(String internalId, String dedupKey, String name, ObjectNode value) {}

  private final Store store;
  private final Auth auth;
  private final Waits waits;

  EventEndpoint(Store store, Auth auth, Waits waits) {
    this.store = store;
    this.auth = auth;
    this.waits = waits;
  }

  void handle(HttpServletRequest req, HttpServletResponse resp, String key) throws IOException {
    Object[] problem = auth.eventKeyProblem(key);
    if (problem != null) {
      ObjectNode o = JsonNodeFactory.instance.objectNode();
      o.put("status", (Integer) problem[0]);
      o.put("message", "");
      o.put("error", (String) problem[1]);
      HttpIo.json(resp, (Integer) problem[0], o);
      return;
    }
    List<Incoming> events;
    try {
      byte[] body = HttpIo.readBody(req, Settings.MAX_EVENTS_BODY);
      events = parse(body);
    } catch (HttpIo.TooLarge e) {
      reject(resp, "request body larger than " + Settings.MAX_EVENTS_BODY + " bytes");
      return;
    } catch (BadRequest e) {
      reject(resp, e.getMessage());
      return;
    }
    long now = Engine.now();
    ApiServlet.join(store.write(tx -> {
      for (Incoming ev : events) {
        // §10.1: a client-supplied id is a deduplication key; a repeat resumes nothing
        if (tx.insertEvent(ev.internalId(), ev.dedupKey(), ev.name(), ev.value().toString(),
            now)) {
          waits.resolve(tx, ev.internalId(), ev.name(), ev.value());
        }
      }
      return null;
    }));
    ObjectNode ok = JsonNodeFactory.instance.objectNode();
    ArrayNode ids = ok.putArray("ids");
    events.forEach(e -> ids.add(e.internalId()));
    ok.put("status", 200);
    HttpIo.json(resp, 200, ok);
  }

  private static void reject(HttpServletResponse resp, String reason) throws IOException {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.putArray("ids");
    o.put("status", 400);
    o.put("error", reason);
    HttpIo.json(resp, 400, o);
  }

  static List<Incoming> parse(byte[] body) {
    JsonNode root;
    try {
      root = Json.parse(body);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(e.getMessage());
    }
    List<JsonNode> raw = new ArrayList<>();
    if (root.isArray()) {
      root.forEach(raw::add);
    } else if (root.isObject()) {
      raw.add(root);
    } else {
      throw new BadRequest("expected an event object or an array of events but found "
          + Op.typeOf(root));
    }
    if (raw.isEmpty()) {
      throw new BadRequest("no events in the request");
    }
    if (raw.size() > Settings.MAX_EVENTS) {
      throw new BadRequest("too many events: " + raw.size() + " (max " + Settings.MAX_EVENTS
          + ")");
    }
    List<Incoming> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      out.add(event(raw.get(i), raw.size() == 1 ? "event" : "events[" + i + "]"));
    }
    return out;
  }

  private static Incoming event(JsonNode n, String where) {
    if (!n.isObject()) {
      throw new BadRequest(where + ": expected an object but found " + Op.typeOf(n));
    }
    if (n.toString().getBytes(StandardCharsets.UTF_8).length > Settings.MAX_EVENT_BYTES) {
      throw new BadRequest(where + ": event larger than 3 MiB");
    }
    JsonNode name = n.get("name");
    if (name == null || !name.isTextual() || name.textValue().isBlank()) {
      throw new BadRequest(where + ".name: expected a non-empty string but found "
          + (name != null && name.isTextual() ? "an empty string" : Op.typeOf(name)));
    }
    JsonNode data = n.get("data");
    if (data != null && !data.isNull() && !data.isObject()) {
      throw new BadRequest(where + ".data: expected an object but found " + Op.typeOf(data));
    }
    JsonNode user = n.get("user");
    if (user != null && !user.isNull() && !user.isObject()) {
      throw new BadRequest(where + ".user: expected an object but found " + Op.typeOf(user));
    }
    JsonNode id = n.get("id");
    if (id != null && !id.isNull() && !id.isTextual()) {
      throw new BadRequest(where + ".id: expected a string but found " + Op.typeOf(id));
    }
    JsonNode ts = n.get("ts");
    if (ts != null && !ts.isNull() && !(ts.isIntegralNumber() && ts.canConvertToLong())) {
      throw new BadRequest(where + ".ts: expected an integer (unix ms) but found "
          + Op.typeOf(ts));
    }
    JsonNode v = n.get("v");
    if (v != null && !v.isNull() && !v.isTextual()) {
      throw new BadRequest(where + ".v: expected a string but found " + Op.typeOf(v));
    }
    String internal = UlidCreator.getMonotonicUlid().toString();
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    value.put("name", name.textValue());
    value.set("data", data == null || data.isNull() ? JsonNodeFactory.instance.objectNode() : data);
    value.set("user", user == null || user.isNull() ? JsonNodeFactory.instance.objectNode() : user);
    value.put("id", id != null && id.isTextual() && !id.textValue().isEmpty()
        ? id.textValue() : internal);
    value.put("ts", ts != null && ts.isIntegralNumber() ? ts.longValue() : Engine.now());
    if (v != null && v.isTextual()) {
      value.put("v", v.textValue());
    }
    String dedupKey = id != null && id.isTextual() && !id.textValue().isEmpty()
        ? id.textValue() : null;
    return new Incoming(internal, dedupKey, name.textValue(), value);
  }
}
