package dev.stephttp.orchestrator.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.orchestrator.model.Op;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/**
 * JSON conventions of the management API (docs/management-api.md §2.3, §12): one mapper that keeps
 * nulls, rejects trailing tokens; timestamps as UTC with exactly three fractional digits.
 */
final class ApiJson {
  static final JsonNodeFactory F = JsonNodeFactory.instance;
  static final ObjectMapper MAPPER = new ObjectMapper()
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

  private ApiJson() {}

  /** RFC 3339 UTC with milliseconds. */
  static String ts(long epochMs) {
    return TS.format(Instant.ofEpochMilli(epochMs));
  }

  /** {@link #ts} or null when {@code epochMs} is 0 (not set). */
  static String tsOrNull(long epochMs) {
    return epochMs <= 0 ? null : ts(epochMs);
  }

  static void putTs(ObjectNode o, String field, long epochMs) {
    String v = tsOrNull(epochMs);
    if (v == null) {
      o.putNull(field);
    } else {
      o.put(field, v);
    }
  }

  /** Parses a request body: must be one JSON object (§2.2), else {@code invalid_json}. */
  static ObjectNode parseObject(byte[] body) {
    if (body.length == 0) {
      throw ApiException.of("invalid_json", "A JSON object body is required; the body was empty.");
    }
    JsonNode n;
    try {
      n = MAPPER.readTree(body);
    } catch (java.io.IOException e) {
      throw ApiException.of("invalid_json", "The body is not valid JSON.");
    }
    if (n == null || !n.isObject()) {
      throw ApiException.of("invalid_json", "The body must be a JSON object; found "
          + Op.typeOf(n) + ".");
    }
    return (ObjectNode) n;
  }

  /** Parses stored JSON text, or null for null/invalid text. */
  static JsonNode parse(String text) {
    if (text == null) {
      return null;
    }
    try {
      return MAPPER.readTree(text);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  static byte[] bytes(JsonNode n) {
    try {
      return MAPPER.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static int utf8Size(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
