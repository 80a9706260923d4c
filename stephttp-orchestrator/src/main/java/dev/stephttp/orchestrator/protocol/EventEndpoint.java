package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.orchestrator.engine.Engine.IncomingEvent;
import dev.stephttp.orchestrator.engine.Engine;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.http.Bodies;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.Ulids;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /e/{eventKey}} (docs/protocol.md §10.1): validates every event before storing any,
 * then stores them and resolves the waits they match in one transaction.
 */
public final class EventEndpoint {

  private final Engine engine;
  private final Auth auth;
  private final Clock clock;

  public EventEndpoint(Engine engine, Auth auth, Clock clock) {
    this.engine = engine;
    this.auth = auth;
    this.clock = clock;
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
    List<IncomingEvent> events;
    try {
      byte[] body = Bodies.readBody(req, Settings.MAX_EVENTS_BODY);
      events = parse(body, clock.millis());
    } catch (Bodies.TooLarge e) {
      reject(resp, "request body larger than " + Settings.MAX_EVENTS_BODY + " bytes");
      return;
    } catch (BadRequest e) {
      reject(resp, e.getMessage());
      return;
    }
    engine.receiveEvents(events);
    ObjectNode ok = JsonNodeFactory.instance.objectNode();
    ArrayNode ids = ok.putArray("ids");
    events.forEach(e -> ids.add(e.id()));
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

  static List<IncomingEvent> parse(byte[] body, long now) {
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
    List<IncomingEvent> out = new ArrayList<>(raw.size());
    for (int i = 0; i < raw.size(); i++) {
      out.add(event(raw.get(i), raw.size() == 1 ? "event" : "events[" + i + "]", now));
    }
    return out;
  }

  private static IncomingEvent event(JsonNode n, String where, long now) {
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
    String internal = Ulids.next();
    ObjectNode value = JsonNodeFactory.instance.objectNode();
    value.put("name", name.textValue());
    value.set("data", data == null || data.isNull() ? JsonNodeFactory.instance.objectNode() : data);
    value.set("user", user == null || user.isNull() ? JsonNodeFactory.instance.objectNode() : user);
    value.put("id", id != null && id.isTextual() && !id.textValue().isEmpty()
        ? id.textValue() : internal);
    value.put("ts", ts != null && ts.isIntegralNumber() ? ts.longValue() : now);
    if (v != null && v.isTextual()) {
      value.put("v", v.textValue());
    }
    String dedupKey = id != null && id.isTextual() && !id.textValue().isEmpty()
        ? id.textValue() : null;
    return new IncomingEvent(internal, dedupKey, name.textValue(), value);
  }
}
