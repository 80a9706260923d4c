package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.BadRequest;
import dev.stephttp.orchestrator.model.ClientFamily;
import dev.stephttp.orchestrator.model.Op;
import dev.stephttp.orchestrator.model.StoredJson;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/**
 * The test oracle: how create-run and checkpoint bodies were read before the streaming reader (a
 * tree of the whole body, each op's data kept as text, then validated field by field), kept to
 * show that {@link dev.stephttp.orchestrator.model.RequestJson} answers the same.
 */
final class TreeRequests {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  /** Stands for an event ID the orchestrator generates. */
  static final String GENERATED_ID = "generated";

  /** A create-run as the tree path read it (the event ID {@link #GENERATED_ID} if generated). */
  record Create(String runId, String event, String method, String url, String contentType,
      String replay, int requestVersion, int retries, String domain, String slug, List<Op> ops,
      String eventName) {}

  /** A checkpoint as the tree path read it. */
  record Checkpoint(String runId, List<Op> ops) {}

  private TreeRequests() {}

  static Checkpoint checkpoint(byte[] bytes, String pathRunId) {
    JsonNode node = parse(bytes, "invalid request body");
    requireObject(node, "request body");
    JsonNode id = node.get("run_id");
    String runId = id == null || id.isNull()
        ? RunRequests.ulid(NODES.textNode(pathRunId), "run ID in the path")
        : RunRequests.ulid(id, "run_id");
    return new Checkpoint(runId, parseList(node.get("steps"), "invalid request body: steps"));
  }

  static Create create(byte[] bytes, long now) {
    JsonNode body = parse(bytes, "Invalid request body");
    requireObject(body, "request body");
    String runId = RunRequests.ulid(body.get("run_id"), "run_id");
    JsonNode ev = body.get("event");
    requireObject(ev, "event");
    String name = RunRequests.text(ev.get("name"), "event.name", true);
    if (name.isEmpty()) {
      throw new BadRequest("Invalid request body: event.name must not be empty");
    }
    JsonNode data = ev.get("data");
    if (data == null || data.isNull()) {
      data = NODES.objectNode();
    }
    requireObject(data, "event.data");
    ClientFamily family = ClientFamily.ofEventName(name);
    String domain = RunRequests.text(data.get("domain"), "event.data.domain", true);
    String method = RunRequests.text(data.get("method"), "event.data.method", false);
    String path = RunRequests.text(data.get("path"), "event.data.path", false);
    String fn = RunRequests.text(data.get("fn"), "event.data.fn", false);
    String query = RunRequests.text(data.get("query_params"), "event.data.query_params", false);
    String contentType =
        RunRequests.text(data.get("content_type"), "event.data.content_type", false);
    for (char c : contentType.toCharArray()) {
      if (c < 0x20 || c >= 0x7f) {
        throw new BadRequest("Invalid request body: event.data.content_type: expected printable"
            + " ASCII (it is replayed as a header)");
      }
    }
    byte[] replay = replay(data.get("body"), family);
    String url = domain + path;
    if (!query.isEmpty()) {
      url += (url.contains("?") ? "&" : "?") + query;
    }
    if (!RunRequests.isHttpUrl(domain, path, url)) {
      throw new BadRequest("Invalid request body: event.data.domain and event.data.path do not"
          + " form an http(s) URL");
    }
    if (method.isEmpty()) {
      method = "POST";
    }
    if (!method.matches("[A-Za-z]{1,20}")) {
      throw new BadRequest("Invalid request body: event.data.method: expected an HTTP method"
          + " name but found \"" + RunRequests.abbreviate(method) + "\"");
    }
    ObjectNode event = NODES.objectNode();
    event.put("name", name);
    event.set("data", data);
    JsonNode id = ev.get("id");
    event.put("id", id != null && id.isTextual() && !id.textValue().isEmpty()
        ? id.textValue() : GENERATED_ID);
    JsonNode ts = ev.get("ts");
    event.put("ts", ts != null && ts.isIntegralNumber() ? ts.longValue() : now);
    JsonNode user = ev.get("user");
    event.set("user", user != null && user.isObject() ? user : NODES.objectNode());
    JsonNode v = ev.get("v");
    if (v != null && v.isTextual()) {
      event.put("v", v.textValue());
    }
    int requestVersion = RunRequests.optInt(body.get("request_version"), "request_version", -1);
    int retries = RunRequests.optInt(body.get("retries"), "retries", 0);
    if (retries < 0) {
      retries = 4;
    }
    retries = Math.min(retries, Settings.MAX_RETRIES);
    RunRequests.text(body.get("idempotency"), "idempotency", false);
    List<Op> ops = parseList(body.get("steps"), "Invalid request body: steps");
    String slug = fn.isEmpty() ? method + " " + path : fn;
    return new Create(runId, event.toString(), method, url,
        contentType.isEmpty() ? null : contentType, HexFormat.of().formatHex(replay),
        requestVersion, retries, domain, slug, ops, name);
  }

  /** An SDK's answer tree as dispatch read it: an array of ops, or one op object. */
  static List<Op> answer(JsonNode node) {
    return node.isArray() ? parseList(node, "response") : List.of(parse(node, "response"));
  }

  private static byte[] replay(JsonNode n, ClientFamily family) {
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

  private static void requireObject(JsonNode n, String what) {
    if (n == null || !n.isObject()) {
      throw new BadRequest("Invalid request body: " + what + ": expected an object but found "
          + Op.typeOf(n));
    }
  }

  private static List<Op> parseList(JsonNode node, String where) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new BadRequest(where + ": expected an array of ops but found " + Op.typeOf(node));
    }
    List<Op> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(parse(node.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  private static Op parse(JsonNode n, String where) {
    if (!n.isObject()) {
      throw new BadRequest(where + ": expected an op object but found " + Op.typeOf(n));
    }
    JsonNode opNode = n.get("op");
    if (opNode == null || !opNode.isTextual()) {
      throw new BadRequest(where + ".op: expected an opcode name string but found "
          + Op.typeOf(opNode));
    }
    Opcode code;
    try {
      code = Opcode.fromWire(opNode.textValue());
    } catch (IllegalArgumentException e) {
      throw new BadRequest(where + ".op: " + e.getMessage());
    }
    String id = optText(n, "id", where);
    if (id == null || id.isEmpty()) {
      if (code == Opcode.RUN_COMPLETE || code == Opcode.SYNC_RUN_COMPLETE) {
        id = StepIds.COMPLETE_ID;
      } else if (code != Opcode.NONE && code != Opcode.DISCOVERY_REQUEST) {
        throw new BadRequest(where + ".id: expected a non-empty step id string");
      }
    }
    String name = optText(n, "name", where);
    JsonNode opts = n.get("opts");
    if (opts != null && !opts.isNull() && !opts.isObject()) {
      throw new BadRequest(where + ".opts: expected an object or null but found "
          + Op.typeOf(opts));
    }
    if (opts != null && (opts.isNull() || opts.isEmpty())) {
      opts = null;
    }
    JsonNode error = n.get("error");
    if (error != null && !error.isNull() && !error.isObject()) {
      throw new BadRequest(where + ".error: expected an object or null but found "
          + Op.typeOf(error));
    }
    if (error != null && error.isNull()) {
      error = null;
    }
    JsonNode timing = n.path("timing");
    JsonNode data = n.get("data");
    String text = data == null ? null
        : data.isPojo() && ((POJONode) data).getPojo() instanceof RawValue r
            ? r.rawValue().toString() : data.toString();
    return new Op(code, id == null ? "" : id, name == null ? "" : name, opts, text, error,
        textOrNull(n.get("displayName")), textOrNull(n.path("userland").get("id")),
        timing.path("a").asLong(0) / 1_000_000, timing.path("b").asLong(0) / 1_000_000,
        text == null ? 0 : StoredJson.parse(text).path("status").asInt(0));
  }

  private static String textOrNull(JsonNode v) {
    return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
  }

  private static String optText(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new BadRequest(where + "." + field + ": expected a string but found " + Op.typeOf(v));
    }
    return v.textValue();
  }

  // The tree reader: the whole body, each op's data (steps[i].data) kept as its JSON text.

  private static JsonNode parse(byte[] body, String prefix) {
    try {
      return tree(body);
    } catch (IllegalArgumentException e) {
      throw new BadRequest(prefix + ": " + e.getMessage());
    }
  }

  static JsonNode tree(byte[] body) {
    if (body.length == 0) {
      throw new IllegalArgumentException("Expected a JSON document but found an empty body");
    }
    try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return MissingNode.getInstance();
      }
      JsonNode root = first == JsonToken.START_OBJECT ? root(p) : value(p, false);
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw invalid("Trailing token (of type " + trailing + ") found after value (bound as"
            + " `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
            + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
      }
      return root;
    } catch (JsonProcessingException e) {
      throw invalid(e.getOriginalMessage());
    } catch (IOException e) {
      throw invalid(e.getMessage());
    }
  }

  private static IllegalArgumentException invalid(String reason) {
    return new IllegalArgumentException("Invalid JSON: " + reason);
  }

  private static ObjectNode root(JsonParser p) throws IOException {
    ObjectNode o = NODES.objectNode();
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      o.set(key, "steps".equals(key) && t == JsonToken.START_ARRAY ? ops(p) : value(p, false));
    }
    return o;
  }

  private static ArrayNode ops(JsonParser p) throws IOException {
    ArrayNode a = NODES.arrayNode();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      a.add(value(p, true));
    }
    return a;
  }

  private static JsonNode value(JsonParser p, boolean op) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
          p.nextToken();
          o.set(key, op && "data".equals(key) ? raw(p) : value(p, false));
        }
        return o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          a.add(value(p, false));
        }
        return a;
      }
      case VALUE_STRING -> {
        return NODES.textNode(p.getText());
      }
      case VALUE_NUMBER_INT -> {
        return switch (p.getNumberType()) {
          case INT -> NODES.numberNode(p.getIntValue());
          case LONG -> NODES.numberNode(p.getLongValue());
          default -> NODES.numberNode(p.getBigIntegerValue());
        };
      }
      case VALUE_NUMBER_FLOAT -> {
        return NODES.numberNode(p.getDoubleValue());
      }
      case VALUE_TRUE -> {
        return NODES.booleanNode(true);
      }
      case VALUE_FALSE -> {
        return NODES.booleanNode(false);
      }
      case VALUE_NULL -> {
        return NODES.nullNode();
      }
      default -> throw invalid("Unexpected token " + p.currentToken());
    }
  }

  private static JsonNode raw(JsonParser p) throws IOException {
    StringWriter w = new StringWriter(64);
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      g.copyCurrentStructure(p);
    }
    return NODES.rawValueNode(new RawValue(w.toString()));
  }
}
