package dev.stephttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WaitForEventTest {
  @Test
  void whereBuildsAnEqualityOnTheIncomingEvent() {
    WaitForEvent w = WaitForEvent.named("payment/settled").where("data.orderId", "o1").timeout(Duration.ofHours(1));
    assertThat(w.event()).isEqualTo("payment/settled");
    assertThat(w.timeout()).isEqualTo(Duration.ofHours(1));
    assertThat(w.expression()).isEqualTo("async.data.orderId == \"o1\"");
  }

  @Test
  void valuesBecomeSafelyQuotedJsonLiterals() {
    assertThat(WaitForEvent.named("e").where("data.s", "a\"b\\c\n").expression())
        .isEqualTo("async.data.s == \"a\\\"b\\\\c\\n\"");
    assertThat(WaitForEvent.named("e").where("data.n", 12345678901234L).expression())
        .isEqualTo("async.data.n == 12345678901234");
    assertThat(WaitForEvent.named("e").where("data.b", true).expression()).isEqualTo("async.data.b == true");
    assertThat(WaitForEvent.named("e").where("data.l", List.of(1, 2)).expression()).isEqualTo("async.data.l == [1,2]");
    assertThat(WaitForEvent.named("e").where("data.m", Map.of("k", "v")).expression())
        .isEqualTo("async.data.m == {\"k\":\"v\"}");
  }

  @Test
  void conditionsAreJoinedWithAnd() {
    WaitForEvent w = WaitForEvent.named("e").where("data.a", 1).ifExpression("async.data.b > 2 || async.data.c")
        .where("data.d", "x");
    assertThat(w.expression()).isEqualTo("async.data.a == 1 && (async.data.b > 2 || async.data.c) && async.data.d == \"x\"");
  }

  @Test
  void instancesAreImmutable() {
    WaitForEvent base = WaitForEvent.named("e");
    base.where("data.a", 1).timeout(Duration.ofSeconds(5));
    assertThat(base.expression()).isNull();
    assertThat(base.timeout()).isNull();
  }

  @Test
  void whereRefusesWhatTheConditionLanguageCannotExpress() {
    // Regression (found by WaitForEventWhereFuzzTest): these produced conditions that failed the
    // run at its wait instead of the call.
    WaitForEvent w = WaitForEvent.named("e");
    assertThatThrownBy(() -> w.where("data.in", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'in', a reserved word");
    assertThatThrownBy(() -> w.where("null.x", 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("'null'");
    assertThatThrownBy(() -> w.where("data.n", new java.math.BigInteger("123456789012345678901234567890")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("64-bit");
    assertThatThrownBy(() -> w.where("data.n", java.util.List.of(1.0, Double.POSITIVE_INFINITY)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no literal");
    assertThat(w.where("data.inside", Long.MAX_VALUE).timeout(java.time.Duration.ofMinutes(1)).expression())
        .isEqualTo("async.data.inside == " + Long.MAX_VALUE);
  }
}
