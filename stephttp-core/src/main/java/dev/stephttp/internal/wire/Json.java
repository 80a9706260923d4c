package dev.stephttp.internal.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;

/**
 * The shared Jackson configuration for every wire DTO; the mapper is thread-safe once built and
 * must not be reconfigured by callers.
 */
public final class Json {
  private static final ObjectMapper MAPPER = create();

  private Json() {}

  /** Returns the shared, fully configured mapper (do not reconfigure it). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Parses one JSON document.
   *
   * @throws IllegalArgumentException if {@code json} is empty, not JSON, or has trailing content
   */
  public static JsonNode parse(byte[] json) {
    Objects.requireNonNull(json, "json == null");
    if (json.length == 0) {
      throw new IllegalArgumentException("Expected a JSON document but found an empty body");
    }
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      String reason =
          e instanceof JsonProcessingException ? ((JsonProcessingException) e).getOriginalMessage() : e.getMessage();
      throw new IllegalArgumentException("Invalid JSON: " + reason, e);
    }
  }

  /**
   * Serialises {@code value} to UTF-8 JSON bytes.
   *
   * @throws UncheckedIOException if Jackson cannot serialise the value
   */
  public static byte[] write(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("Cannot serialise " + typeName(value) + " to JSON", e);
    }
  }

  private static String typeName(Object value) {
    return value == null ? "null" : value.getClass().getName();
  }

  private static ObjectMapper create() {
    ObjectMapper mapper = new ObjectMapper();
    mapper.registerModule(new JavaTimeModule());
    mapper.disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
    // docs/protocol.md §6.2: unknown keys MUST be ignored (the TS client adds "mode", "hashedId", ...).
    mapper.disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    // A body such as `{"a":1} junk` is not one JSON document; neither client would produce it.
    mapper.enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    return mapper;
  }
}
