package dev.stephttp.orchestrator.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;

/**
 * One validated GeneratorOpcode (docs/protocol.md §6.2), read by {@link RequestJson} and checked
 * so that wrong types give a precise 400 instead of a decoding exception. Unknown keys are ignored
 * (§6.2).
 *
 * @param opts options object, or null when absent/null/empty (Errata 7)
 * @param data the data value's JSON text as compact text (a slice of the body when it was already
 *     compact), or null when absent
 * @param error error object, or null when absent/null
 * @param displayName UI name, or null (management API traces only)
 * @param userId {@code userland.id}: the user-defined step ID, or null
 * @param startMs {@code timing.a} in epoch ms, or 0 when absent
 * @param durationMs {@code timing.b} in ms, or 0 when absent
 * @param dataStatus {@code data.status} as an integer (a RunComplete's HTTP status), or 0 when
 *     absent or not a number
 */
public record Op(Opcode code, String id, String name, JsonNode opts, String data, JsonNode error,
    String displayName, String userId, long startMs, long durationMs, int dataStatus) {

  /**
   * An op as {@link RequestJson} read it, before validation: each field's last value (a scalar
   * node, an empty node of the value's type, or for opts and error the tree), null when absent.
   */
  static final class Parts {
    /** The element when it is not an object, else null. */
    JsonNode self;
    JsonNode op;
    JsonNode id;
    JsonNode name;
    JsonNode opts;
    JsonNode error;
    /** The data value as compact JSON text. */
    String data;
    int dataStatus;
    JsonNode displayName;
    JsonNode userlandId;
    JsonNode timingA;
    JsonNode timingB;

    /** The op at index {@code i} of an array named {@code where}. */
    Op validate(String where, int i) {
      return validate(where + "[" + i + "]");
    }

    /** The validated op; {@code where} names it in error messages. */
    Op validate(String where) {
      if (self != null) {
        throw new BadRequest(where + ": expected an op object but found " + typeOf(self));
      }
      if (op == null || !op.isTextual()) {
        throw new BadRequest(where + ".op: expected an opcode name string but found "
            + typeOf(op));
      }
      Opcode code;
      try {
        code = Opcode.fromWire(op.textValue());
      } catch (IllegalArgumentException e) {
        throw new BadRequest(where + ".op: " + e.getMessage());
      }
      String idText = optText(id, "id", where);
      if (idText == null || idText.isEmpty()) {
        if (code == Opcode.RUN_COMPLETE || code == Opcode.SYNC_RUN_COMPLETE) {
          idText = StepIds.COMPLETE_ID;
        } else if (code != Opcode.NONE && code != Opcode.DISCOVERY_REQUEST) {
          throw new BadRequest(where + ".id: expected a non-empty step id string");
        }
      }
      String nameText = optText(name, "name", where);
      JsonNode o = opts;
      if (o != null && !o.isNull() && !o.isObject()) {
        throw new BadRequest(where + ".opts: expected an object or null but found " + typeOf(o));
      }
      if (o != null && (o.isNull() || o.isEmpty())) {
        o = null;
      }
      JsonNode e = error;
      if (e != null && !e.isNull() && !e.isObject()) {
        throw new BadRequest(where + ".error: expected an object or null but found "
            + typeOf(e));
      }
      if (e != null && e.isNull()) {
        e = null;
      }
      return new Op(code, idText == null ? "" : idText, nameText == null ? "" : nameText, o,
          data, e, textOrNull(displayName), textOrNull(userlandId), millis(timingA),
          millis(timingB), dataStatus);
    }

    private static long millis(JsonNode nanos) {
      return nanos == null ? 0 : nanos.asLong(0) / 1_000_000;
    }
  }

  private static String textOrNull(JsonNode v) {
    return v != null && v.isTextual() && !v.textValue().isEmpty() ? v.textValue() : null;
  }

  private static String optText(JsonNode v, String field, String where) {
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
