package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

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

  @Provide
  Arbitrary<JsonNode> scalars() {
    JsonNodeFactory f = JsonNodeFactory.instance;
    return Arbitraries.oneOf(
        Arbitraries.strings().alpha().ofMaxLength(5).map(f::textNode),
        Arbitraries.longs().between(-5, 5).map(f::numberNode),
        Arbitraries.of(-1.0, 0.0, 2.0, 2.5).map(f::numberNode),
        Arbitraries.of(true, false).map(f::booleanNode));
  }

  /** The index never hides a match: whenever the condition holds, the keys agree. */
  @Property(tries = 300)
  void indexNeverExcludesAMatch(@ForAll("scalars") JsonNode literal,
      @ForAll("scalars") JsonNode value) throws Exception {
    String expr = "async.data.v == " + literal;
    ObjectNode ev = JsonNodeFactory.instance.objectNode().put("name", "e");
    ev.putObject("data").set("v", value);
    EqualityIndex.Eq eq = CEL.compile(expr).eq();
    if (CEL.matches(expr, TRIGGER, ev)) {
      assertThat(eq).isNotNull();
      assertThat(EqualityIndex.keyOf(ev, eq.path())).isEqualTo(eq.key());
    }
  }
}
