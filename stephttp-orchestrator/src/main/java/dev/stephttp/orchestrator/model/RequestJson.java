package dev.stephttp.orchestrator.model;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads a create-run or checkpoint body (docs/protocol.md §2.1–2.2) in one streaming pass into
 * the fields the servlet validates, without building trees for the envelope, the trigger event or
 * the ops: scalars are kept as scalar nodes, other values the caller only type-checks as empty
 * nodes of their type, and each op's {@code data} and the event's {@code data} as compact JSON
 * text (a slice of the body when it is already compact). A repeated key: the last one counts, as
 * in a tree. Invalid JSON gives the message core's {@link Json#parse(byte[])} gives, and wins
 * over every type error because nothing is validated before the whole body was read.
 */
public final class RequestJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RequestJson() {}

  /**
   * A body read by {@link #read}: each field is null when absent, else its last value (a scalar
   * node, or an empty node of the value's type).
   *
   * @param root the body when it is not an object (MissingNode when only whitespace), else null
   * @param runId {@code run_id}
   * @param event {@code event} when it is an object, else null
   * @param eventNode {@code event} when it is not an object, else null
   * @param requestVersion {@code request_version}
   * @param retries {@code retries}
   * @param idempotency {@code idempotency}
   * @param steps {@code steps}, read as ops
   */
  public record Body(JsonNode root, JsonNode runId, Event event, JsonNode eventNode,
      JsonNode requestVersion, JsonNode retries, JsonNode idempotency, Steps steps) {}

  /**
   * A trigger event object, each field as in {@link Body}.
   *
   * @param name {@code name}
   * @param data {@code data} when it is an object, else null
   * @param dataNode {@code data} when it is not an object, else null
   * @param id {@code id}
   * @param ts {@code ts}
   * @param user {@code user} as a tree
   * @param v {@code v}
   */
  public record Event(JsonNode name, EventData data, JsonNode dataNode, JsonNode id, JsonNode ts,
      JsonNode user, JsonNode v) {}

  /**
   * A trigger event's data object, each field as in {@link Body}.
   *
   * @param text the object as compact JSON text, as its tree would serialise
   * @param domain {@code domain}
   * @param method {@code method}
   * @param path {@code path}
   * @param fn {@code fn}
   * @param queryParams {@code query_params}
   * @param contentType {@code content_type}
   * @param body {@code body}
   */
  public record EventData(String text, JsonNode domain, JsonNode method, JsonNode path,
      JsonNode fn, JsonNode queryParams, JsonNode contentType, JsonNode body) {}

  /** The {@code steps} value: read ops, validated on {@link #ops}. */
  public static final class Steps {
    private final JsonNode node; // when not an array
    private final List<Op.Parts> parts; // when an array

    private Steps(JsonNode node, List<Op.Parts> parts) {
      this.node = node;
      this.parts = parts;
    }

    /** The validated ops; {@code where} prefixes error messages (e.g. "steps"). */
    public List<Op> ops(String where) {
      if (parts == null) {
        if (node == null || node.isNull() || node.isMissingNode()) {
          return List.of();
        }
        throw new BadRequest(where + ": expected an array of ops but found " + Op.typeOf(node));
      }
      List<Op> out = new ArrayList<>(parts.size());
      for (int i = 0; i < parts.size(); i++) {
        out.add(parts.get(i).validate(where, i));
      }
      return out;
    }
  }

  /**
   * Reads a create-run or checkpoint body.
   *
   * @throws IllegalArgumentException if {@code body} is empty, not JSON, or has trailing content
   */
  public static Body read(byte[] body) {
    if (body.length == 0) {
      throw new IllegalArgumentException("Expected a JSON document but found an empty body");
    }
    try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
      JsonToken first = p.nextToken();
      Body read;
      if (first == null) {
        read = new Body(MissingNode.getInstance(), null, null, null, null, null, null, null);
      } else if (first != JsonToken.START_OBJECT) {
        read = new Body(value(p), null, null, null, null, null, null, null);
      } else {
        read = envelope(p, body);
      }
      JsonToken trailing = p.nextToken();
      if (trailing != null) {
        throw invalid("Trailing token (of type " + trailing + ") found after value (bound as"
            + " `com.fasterxml.jackson.databind.JsonNode`): not allowed as per"
            + " `DeserializationFeature.FAIL_ON_TRAILING_TOKENS`");
      }
      return read;
    } catch (JsonProcessingException e) {
      throw invalid(e.getOriginalMessage());
    } catch (IOException e) {
      throw invalid(e.getMessage());
    }
  }

  /**
   * The ops of an SDK's answer already parsed into a tree (an array, or one op object), read as
   * {@link Steps#ops} reads a body's.
   */
  public static List<Op> ops(JsonNode node, String where) {
    try (JsonParser p = node.traverse()) {
      JsonToken t = p.nextToken();
      if (t == JsonToken.START_OBJECT) {
        return List.of(op(p, null).validate(where));
      }
      return (t == JsonToken.START_ARRAY ? new Steps(null, ops(p, null))
          : new Steps(node, null)).ops(where);
    } catch (IOException e) {
      throw new IllegalStateException("a tree reads without I/O", e);
    }
  }

  private static IllegalArgumentException invalid(String reason) {
    return new IllegalArgumentException("Invalid JSON: " + reason);
  }

  private static Body envelope(JsonParser p, byte[] src) throws IOException {
    JsonNode runId = null;
    Event event = null;
    JsonNode eventNode = null;
    JsonNode requestVersion = null;
    JsonNode retries = null;
    JsonNode idempotency = null;
    Steps steps = null;
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      switch (key) {
        case "run_id" -> runId = shallow(p);
        case "event" -> {
          event = t == JsonToken.START_OBJECT ? event(p, src) : null;
          eventNode = event == null ? shallow(p) : null;
        }
        case "request_version" -> requestVersion = shallow(p);
        case "retries" -> retries = shallow(p);
        case "idempotency" -> idempotency = shallow(p);
        case "steps" -> steps = t == JsonToken.START_ARRAY ? new Steps(null, ops(p, src))
            : new Steps(shallow(p), null);
        default -> skip(p, false);
      }
    }
    return new Body(null, runId, event, eventNode, requestVersion, retries, idempotency,
        steps == null ? new Steps(null, null) : steps);
  }

  private static Event event(JsonParser p, byte[] src) throws IOException {
    JsonNode name = null;
    EventData data = null;
    JsonNode dataNode = null;
    JsonNode id = null;
    JsonNode ts = null;
    JsonNode user = null;
    JsonNode v = null;
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      switch (key) {
        case "name" -> name = shallow(p);
        case "data" -> {
          data = t == JsonToken.START_OBJECT ? eventData(p, src) : null;
          dataNode = data == null ? shallow(p) : null;
        }
        case "id" -> id = shallow(p);
        case "ts" -> ts = shallow(p);
        case "user" -> user = value(p);
        case "v" -> v = shallow(p);
        default -> skip(p, false);
      }
    }
    return new Event(name, data, dataNode, id, ts, user, v);
  }

  private static EventData eventData(JsonParser p, byte[] src) throws IOException {
    int start = (int) p.currentTokenLocation().getByteOffset();
    JsonNode domain = null;
    JsonNode method = null;
    JsonNode path = null;
    JsonNode fn = null;
    JsonNode query = null;
    JsonNode contentType = null;
    JsonNode body = null;
    Set<String> keys = new HashSet<>();
    boolean unique = true;
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      unique &= keys.add(key);
      JsonNode v;
      if (p.nextToken().isScalarValue()) {
        v = value(p);
      } else {
        v = p.currentToken() == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
        unique &= skip(p, true);
      }
      switch (key) {
        case "domain" -> domain = v;
        case "method" -> method = v;
        case "path" -> path = v;
        case "fn" -> fn = v;
        case "query_params" -> query = v;
        case "content_type" -> contentType = v;
        case "body" -> body = v;
        default -> { }
      }
    }
    int end = (int) p.currentLocation().getByteOffset();
    String text = unique ? compact(src, start, end) : null;
    if (text == null) { // as its tree serialises: a repeated key once, with its last value
      try (JsonParser again = Json.mapper().getFactory().createParser(src, start, end - start)) {
        again.nextToken();
        text = value(again).toString();
      }
    }
    return new EventData(text, domain, method, path, fn, query, contentType, body);
  }

  private static List<Op.Parts> ops(JsonParser p, byte[] src) throws IOException {
    List<Op.Parts> out = new ArrayList<>();
    for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
      if (t == JsonToken.START_OBJECT) {
        out.add(op(p, src));
      } else {
        Op.Parts parts = new Op.Parts();
        parts.self = shallow(p);
        out.add(parts);
      }
    }
    return out;
  }

  /** An op object at the current START_OBJECT token. */
  private static Op.Parts op(JsonParser p, byte[] src) throws IOException {
    Op.Parts o = new Op.Parts();
    for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
      JsonToken t = p.nextToken();
      switch (key) {
        case "op" -> o.op = shallow(p);
        case "id" -> o.id = shallow(p);
        case "name" -> o.name = shallow(p);
        case "opts" -> o.opts = value(p);
        case "error" -> o.error = value(p);
        case "data" -> data(p, src, o);
        case "displayName" -> o.displayName = shallow(p);
        case "userland" -> {
          o.userlandId = null;
          if (t == JsonToken.START_OBJECT) {
            for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
              p.nextToken();
              JsonNode v = shallow(p);
              if ("id".equals(k)) {
                o.userlandId = v;
              }
            }
          } else {
            skip(p, false);
          }
        }
        case "timing" -> {
          o.timingA = null;
          o.timingB = null;
          if (t == JsonToken.START_OBJECT) {
            for (String k = p.nextFieldName(); k != null; k = p.nextFieldName()) {
              p.nextToken();
              JsonNode v = shallow(p);
              if ("a".equals(k)) {
                o.timingA = v;
              } else if ("b".equals(k)) {
                o.timingB = v;
              }
            }
          } else {
            skip(p, false);
          }
        }
        default -> skip(p, false);
      }
    }
    return o;
  }

  /**
   * Reads an op's data into {@code o}: its compact JSON text (a slice of {@code src} when already
   * compact) and its {@code status}.
   */
  private static void data(JsonParser p, byte[] src, Op.Parts o) throws IOException {
    JsonNode status = null;
    if (src == null) { // a tree: the text it serialises to
      JsonNode data = value(p);
      o.data = data.toString();
      status = data.get("status");
    } else {
      int start = (int) p.currentTokenLocation().getByteOffset();
      if (p.currentToken() == JsonToken.START_OBJECT) {
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
          p.nextToken();
          if ("status".equals(key)) {
            status = shallow(p);
          } else {
            skip(p, false);
          }
        }
      } else {
        skip(p, false);
      }
      int end = (int) p.currentLocation().getByteOffset();
      o.data = compact(src, start, end);
      if (o.data == null) {
        try (JsonParser again = Json.mapper().getFactory().createParser(src, start, end - start)) {
          again.nextToken();
          o.data = copy(again);
        }
      }
    }
    o.dataStatus = status == null ? 0 : status.asInt(0);
  }

  /** The current value copied as compact JSON text (strings decoded and re-encoded). */
  private static String copy(JsonParser p) throws IOException {
    StringWriter w = new StringWriter(64);
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      g.copyCurrentStructure(p);
    }
    return w.toString();
  }

  /**
   * {@code src[start, end)} as text when a generator would write the value it holds the same:
   * no whitespace outside strings, no floating-point numbers or {@code -0}, in strings only the
   * escapes the generator writes ({@code \" \\ \b \f \n \r \t}) and no DEL, and keys in ASCII
   * (the parser does not check a key's UTF-8); else null.
   */
  private static String compact(byte[] src, int start, int end) {
    boolean inString = false;
    boolean ascii = true;
    for (int i = start; i < end; i++) {
      byte b = src[i];
      if (inString) {
        if (b == '\\') {
          byte next = src[++i];
          if ("\"\\bfnrt".indexOf(next) < 0) {
            return null;
          }
        } else if (b == '"') {
          inString = false;
          if (!ascii && i + 1 < end && src[i + 1] == ':') {
            return null;
          }
        } else if (b == 0x7f) {
          return null;
        } else if (b < 0) {
          ascii = false;
        }
        continue;
      }
      switch (b) {
        case '"' -> {
          inString = true;
          ascii = true;
        }
        case ' ', '\t', '\n', '\r', '.' -> {
          return null;
        }
        case 'e', 'E' -> {
          if (i > start && src[i - 1] >= '0' && src[i - 1] <= '9') {
            return null;
          }
        }
        case '-' -> {
          if (src[i + 1] == '0') {
            return null;
          }
        }
        default -> { }
      }
    }
    return new String(src, start, end - start, StandardCharsets.UTF_8);
  }

  /**
   * The current value when it is a scalar, else an empty node of its type (its content is read
   * and checked, not kept).
   */
  private static JsonNode shallow(JsonParser p) throws IOException {
    JsonToken t = p.currentToken();
    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
      skip(p, false);
      return t == JsonToken.START_OBJECT ? NODES.objectNode() : NODES.arrayNode();
    }
    return value(p);
  }

  /**
   * Reads past the current value, checking it as {@link #value} would; with {@code checkKeys},
   * false when some object in it repeats a key.
   */
  private static boolean skip(JsonParser p, boolean checkKeys) throws IOException {
    JsonToken t = p.currentToken();
    boolean unique = true;
    if (t == JsonToken.START_OBJECT) {
      Set<String> keys = checkKeys ? new HashSet<>() : null;
      for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
        if (checkKeys) {
          unique &= keys.add(key);
        }
        p.nextToken();
        unique &= skip(p, checkKeys);
      }
    } else if (t == JsonToken.START_ARRAY) {
      for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
        unique &= skip(p, checkKeys);
      }
    } else {
      value(p);
    }
    return unique;
  }

  /** The value at the current token as a tree. */
  private static JsonNode value(JsonParser p) throws IOException {
    switch (p.currentToken()) {
      case START_OBJECT -> {
        ObjectNode o = NODES.objectNode();
        for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
          p.nextToken();
          o.set(key, value(p));
        }
        return o;
      }
      case START_ARRAY -> {
        ArrayNode a = NODES.arrayNode();
        for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
          a.add(value(p));
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
}
