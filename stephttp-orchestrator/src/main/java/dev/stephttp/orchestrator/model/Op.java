package dev.stephttp.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import java.util.ArrayList;
import java.util.List;

/**
 * One validated GeneratorOpcode (docs/protocol.md §6.2), parsed from a JSON tree so that wrong types
 * give a precise 400 instead of a decoding exception. Unknown keys are ignored (§6.2).
 *
 * @param opts options object, or null when absent/null/empty (Errata 7)
 * @param data the data value's JSON text (as received when read by {@link RequestJson}), or null
 *     when absent
 * @param error error object, or null when absent/null
 * @param displayName UI name, or null (management API traces only)
 * @param userId {@code userland.id}: the user-defined step ID, or null
 * @param startMs {@code timing.a} in epoch ms, or 0 when absent
 * @param durationMs {@code timing.b} in ms, or 0 when absent
 */
public record Op(Opcode code, String id, String name, JsonNode opts, String data, JsonNode error,
    String displayName, String userId, long startMs, long durationMs) {

  /** Parses an array of ops; {@code where} prefixes error messages (e.g. "steps"). */
  public static List<Op> parseList(JsonNode node, String where) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return List.of();
    }
    if (!node.isArray()) {
      throw new BadRequest(where + ": expected an array of ops but found " + typeOf(node));
    }
    List<Op> out = new ArrayList<>(node.size());
    for (int i = 0; i < node.size(); i++) {
      out.add(parse(node.get(i), where + "[" + i + "]"));
    }
    return out;
  }

  public static Op parse(JsonNode n, String where) {
    if (!n.isObject()) {
      throw new BadRequest(where + ": expected an op object but found " + typeOf(n));
    }
    JsonNode opNode = n.get("op");
    if (opNode == null || !opNode.isTextual()) {
      throw new BadRequest(where + ".op: expected an opcode name string but found "
          + typeOf(opNode));
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
      throw new BadRequest(where + ".opts: expected an object or null but found " + typeOf(opts));
    }
    if (opts != null && (opts.isNull() || opts.isEmpty())) {
      opts = null;
    }
    JsonNode error = n.get("error");
    if (error != null && !error.isNull() && !error.isObject()) {
      throw new BadRequest(where + ".error: expected an object or null but found "
          + typeOf(error));
    }
    if (error != null && error.isNull()) {
      error = null;
    }
    JsonNode timing = n.path("timing");
    return new Op(code, id == null ? "" : id, name == null ? "" : name, opts, dataText(n.get("data")),
        error, textOrNull(n.get("displayName")), textOrNull(n.path("userland").get("id")),
        timing.path("a").asLong(0) / 1_000_000, timing.path("b").asLong(0) / 1_000_000);
  }

  private static String dataText(JsonNode data) {
    if (data == null) {
      return null;
    }
    String raw = RequestJson.rawText(data);
    return raw != null ? raw : data.toString();
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
      throw new BadRequest(where + "." + field + ": expected a string but found " + typeOf(v));
    }
    return v.textValue();
  }

  /** Option text, or "" when absent/not text. */
  public String optText(String field) {
    JsonNode v = opts == null ? null : opts.get(field);
    return v != null && v.isTextual() ? v.textValue() : "";
  }

  /**
   * The stored error object (docs/protocol.md §4, Errata 1 and 11): only name, message, stack, data,
   * noRetry, cause; {@code data} always present (JSON null when absent).
   */
  public ObjectNode storedError() {
    ObjectNode e = JsonNodeFactory.instance.objectNode();
    JsonNode src = error == null ? JsonNodeFactory.instance.objectNode() : error;
    e.put("name", src.path("name").isTextual() ? src.get("name").textValue() : "Error");
    e.put("message", src.path("message").isTextual() ? src.get("message").textValue() : "");
    if (src.has("stack")) {
      e.set("stack", src.get("stack"));
    }
    e.set("data", src.has("data") ? src.get("data") : NullNode.instance);
    for (String k : new String[] {"noRetry", "cause"}) {
      if (src.has(k)) {
        e.set(k, src.get(k));
      }
    }
    return e;
  }

  public boolean errorNoRetry() {
    return error != null && error.path("noRetry").asBoolean(false);
  }

  public static String typeOf(JsonNode n) {
    if (n == null || n.isMissingNode()) {
      return "nothing";
    }
    return switch (n.getNodeType()) {
      case ARRAY -> "an array";
      case OBJECT -> "an object";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> n.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    };
  }
}
