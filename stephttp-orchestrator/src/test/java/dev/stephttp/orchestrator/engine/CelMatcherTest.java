package dev.stephttp.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** CEL conditions of waitForEvent (§10.2) and the equality index used to find pauses. */
class CelMatcherTest {
  static final CelMatcher CEL = new CelMatcher();

  static JsonNode json(String s) {
    return Json.parse(s.getBytes());
  }

  static final JsonNode TRIGGER = json("{\"name\":\"inngest/http.request\",\"data\":"
      + "{\"path\":\"/orders\",\"method\":\"POST\"}}");

  @Test
  void matchesOnAsyncAndEvent() {
    JsonNode ev = json("{\"name\":\"order/approved\",\"data\":{\"orderId\":\"o1\",\"n\":5}}");
    assertThat(CEL.matches("async.data.orderId == \"o1\"", TRIGGER, ev)).isTrue();
    assertThat(CEL.matches("async.data.orderId == \"o2\"", TRIGGER, ev)).isFalse();
    assertThat(CEL.matches("async.data.n > 3 && event.data.path == \"/orders\"", TRIGGER, ev))
        .isTrue();
    assertThat(CEL.matches("async.data.n == 5.0", TRIGGER, ev)).isTrue();
    assertThat(CEL.matches(null, TRIGGER, ev)).isTrue();
  }

  @Test
  void missingKeysAndTypeErrorsDoNotMatch() {
    JsonNode ev = json("{\"name\":\"x\",\"data\":{}}");
    assertThat(CEL.matches("async.data.orderId == \"o1\"", TRIGGER, ev)).isFalse();
    assertThat(CEL.matches("async.data == 3", TRIGGER, ev)).isFalse();
  }

  @Test
  void invalidExpressionsAreRejectedAtCompileTime() {
    assertThatThrownBy(() -> CEL.compile("async.data.x ==")).isInstanceOf(
        CelMatcher.InvalidExpression.class);
    assertThatThrownBy(() -> CEL.compile("unknownVar.x == 1")).isInstanceOf(
        CelMatcher.InvalidExpression.class);
  }

  @Test
  void extractsIndexableEqualities() throws Exception {
    assertThat(CEL.compile("async.data.orderId == \"o1\"").eq())
        .isEqualTo(new EqualityIndex.Eq("data.orderId", "s:o1"));
    assertThat(CEL.compile("\"o1\" == async.data.orderId").eq())
        .isEqualTo(new EqualityIndex.Eq("data.orderId", "s:o1"));
    assertThat(CEL.compile("async.data.n > 1 && async.data.k == 3").eq())
        .isEqualTo(new EqualityIndex.Eq("data.k", "n:3"));
    assertThat(CEL.compile("async.data.k == 3.0").eq())
        .isEqualTo(new EqualityIndex.Eq("data.k", "n:3"));
    assertThat(CEL.compile("async.data.a == 1 || async.data.b == 2").eq()).isNull();
    assertThat(CEL.compile("event.data.a == async.data.a").eq()).isNull();
  }

  /**
   * Pairs of scalars (literal, value): short alphabetic strings, integers in [-5, 5], a few
   * doubles, booleans. A fixed seed, so a failure reproduces; the small domain makes equal pairs
   * (and {@code 2 == 2.0}) frequent.
   */
  static Stream<Arguments> scalarPairs() {
    Random random = new Random(20261127L);
    return IntStream.range(0, 300).mapToObj(i -> {
      JsonNode literal = scalar(random);
      // every third value repeats the literal (an integer sometimes as a double: 2 == 2.0)
      JsonNode value = random.nextInt(3) > 0 ? scalar(random)
          : literal.isIntegralNumber() && random.nextBoolean()
              ? JsonNodeFactory.instance.numberNode(literal.doubleValue()) : literal;
      return Arguments.of(literal, value);
    });
  }

  static JsonNode scalar(Random random) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return switch (random.nextInt(4)) {
      case 0 -> {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(6); n > 0; n--) {
          int letter = random.nextInt(52);
          s.append((char) (letter < 26 ? 'a' + letter : 'A' + letter - 26));
        }
        yield f.textNode(s.toString());
      }
      case 1 -> f.numberNode(random.nextInt(11) - 5L);
      case 2 -> f.numberNode(new double[] {-1.0, 0.0, 2.0, 2.5}[random.nextInt(4)]);
      default -> f.booleanNode(random.nextBoolean());
    };
  }

  /** The index never hides a match: whenever the condition holds, the keys agree. */
  @ParameterizedTest(name = "async.data.v == {0} against v = {1}")
  @MethodSource("scalarPairs")
  void indexNeverExcludesAMatch(JsonNode literal, JsonNode value) throws Exception {
    String expr = "async.data.v == " + literal;
    assertThat(CEL.compile(expr).eq()).as("a JSON scalar literal is indexed").isNotNull();
    assertIndexKeepsAnyMatch(expr, value);
  }

  /**
   * The same property over any CEL literal text (hex, unsigned, exponents, escapes, bytes…) and
   * any JSON value. A literal the index does not know (uint, bytes) leaves the pause unindexed,
   * evaluated for every event, which is safe. Corpus files: the literal, a newline, the JSON.
   */
  @FuzzTest(maxDuration = "20s")
  void indexNeverExcludesAMatchForAnyLiteral(FuzzedDataProvider data) throws Exception {
    String[] parts = data.consumeRemainingAsString().split("\n", 2);
    if (parts.length < 2 || parts[1].isEmpty()) {
      return;
    }
    JsonNode value;
    try {
      value = Json.parse(parts[1].getBytes(StandardCharsets.UTF_8));
    } catch (IllegalArgumentException notJson) {
      return;
    }
    String expr = "async.data.v == " + parts[0];
    try {
      CEL.compile(expr);
    } catch (CelMatcher.InvalidExpression rejected) {
      return;
    }
    assertIndexKeepsAnyMatch(expr, value);
  }

  private static void assertIndexKeepsAnyMatch(String expr, JsonNode value) throws Exception {
    ObjectNode ev = JsonNodeFactory.instance.objectNode().put("name", "e");
    ev.putObject("data").set("v", value);
    EqualityIndex.Eq eq = CEL.compile(expr).eq();
    if (eq != null && CEL.matches(expr, TRIGGER, ev)) {
      assertThat(EqualityIndex.keyOf(ev, eq.path())).as("%s against %s", expr, value)
          .isEqualTo(eq.key());
    }
  }
}
