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
import com.fasterxml.jackson.databind.node.POJONode;
import com.fasterxml.jackson.databind.util.RawValue;
import dev.stephttp.internal.wire.Json;
import java.io.IOException;
import java.io.StringWriter;

/**
 * Reads a request body once, with a streaming parser, into a JSON tree in which each op's
 * {@code data} ({@code steps[i].data}) is kept as its JSON text instead of a subtree: the store
 * writes that text as it is, so step values are neither built into trees nor serialised again.
 * Everything else gives the same tree, and invalid JSON the same message, as core's
 * {@link Json#parse(byte[])}.
 */
public final class RequestJson {
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private RequestJson() {}

  /**
   * Parses one JSON document.
   *
   * @throws IllegalArgumentException if {@code body} is empty, not JSON, or has trailing content
   */
  public static JsonNode parse(byte[] body) {
    if (body.length == 0) {
      throw new IllegalArgumentException("Expected a JSON document but found an empty body");
    }
    try (JsonParser p = Json.mapper().getFactory().createParser(body)) {
      JsonToken first = p.nextToken();
      if (first == null) {
        return MissingNode.getInstance(); // only whitespace: as ObjectMapper.readTree
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

  /**
   * The JSON text of an op's data as {@link #parse} kept it, or null when {@code node} is not
   * such a value.
   */
  static String rawText(JsonNode node) {
    if (node != null && node.isPojo()
        && ((POJONode) node).getPojo() instanceof RawValue r) {
      return r.rawValue().toString();
    }
    return null;
  }

  private static IllegalArgumentException invalid(String reason) {
    return new IllegalArgumentException("Invalid JSON: " + reason);
  }

  /** The root object: its {@code steps} array holds ops. */
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

  /** The value at the current token; {@code op}: an object whose data is kept as text. */
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

  /** The current value copied as compact JSON text (strings decoded and re-encoded). */
  private static JsonNode raw(JsonParser p) throws IOException {
    StringWriter w = new StringWriter(64);
    try (JsonGenerator g = Json.mapper().getFactory().createGenerator(w)) {
      g.copyCurrentStructure(p);
    }
    return NODES.rawValueNode(new RawValue(w.toString()));
  }
}
