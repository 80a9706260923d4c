package dev.stephttp.internal.wire;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

  /** A record without any Jackson annotation, so only the mapper's own settings apply. */
  record Plain(String a) {}

  @Test
  void mapperIsShared() {
    assertThat(Json.mapper()).isSameAs(Json.mapper());
  }

  @Test
  void mapperIgnoresUnknownProperties() throws Exception {
    Plain p = Json.mapper().readValue("{\"a\":\"x\",\"mode\":\"run\",\"hashedId\":\"h\"}", Plain.class);
    assertThat(p).isEqualTo(new Plain("x"));
  }

  @Test
  void mapperWritesJavaTimeAsIsoText() {
    String json = new String(Json.write(Map.of("at", Instant.parse("2025-01-01T12:00:00.123456Z"))), UTF_8);
    assertThat(json).isEqualTo("{\"at\":\"2025-01-01T12:00:00.123456Z\"}");
  }

  @Test
  void mapperReadsJavaTime() throws Exception {
    record At(Instant at) {}
    assertThat(Json.mapper().readValue("{\"at\":\"2025-01-01T12:00:00Z\"}", At.class).at())
        .isEqualTo(Instant.parse("2025-01-01T12:00:00Z"));
  }

  @Test
  void parseReadsATree() {
    JsonNode node = Json.parse("{\"n\":1735732800000000123}".getBytes(UTF_8));
    assertThat(node.get("n").asLong()).isEqualTo(1735732800000000123L);
  }

  @Test
  void parseRejectsInvalidJsonWithIllegalArgument() {
    assertThatThrownBy(() -> Json.parse("{\"a\":".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Invalid JSON");
    assertThatThrownBy(() -> Json.parse("01J9Z3K6W8".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void parseRejectsEmptyBody() {
    assertThatThrownBy(() -> Json.parse(new byte[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void parseRejectsTrailingContent() {
    assertThatThrownBy(() -> Json.parse("{\"a\":1} {\"b\":2}".getBytes(UTF_8)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void writeProducesUtf8Json() {
    assertThat(new String(Json.write(Map.of("k", "\u00e9")), UTF_8)).isEqualTo("{\"k\":\"\u00e9\"}");
    assertThat(Json.write(null)).isEqualTo("null".getBytes(UTF_8));
  }

  @Test
  void writeWrapsFailuresInUncheckedIoException() {
    assertThatThrownBy(() -> Json.write(new Object()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("java.lang.Object");
  }
}
