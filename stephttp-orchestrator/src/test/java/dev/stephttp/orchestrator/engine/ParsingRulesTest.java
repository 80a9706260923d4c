package dev.stephttp.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Sleep and timeout specs: durations from now or RFC 3339 instants. */
class ParsingRulesTest {

  @Test
  void sleepSpecsAreDurationsOrInstants() {
    Transitions t = new Transitions(Clock.systemUTC(), null, null);
    long now = System.currentTimeMillis();
    assertThat(t.untilMillis("", "x")).isBetween(now, now + 1000);
    assertThat(t.untilMillis("1m30s", "x") - now).isBetween(89_000L, 91_000L);
    assertThat(t.untilMillis("1w2d3h4m5s", "x") - now)
        .isBetween(Duration.parse("P9DT3H4M4S").toMillis(), Duration.parse("P9DT3H4M6S").toMillis());
    String at = Instant.ofEpochMilli(now + 60_000).toString();
    assertThat(t.untilMillis(at, "x")).isEqualTo(now + 60_000);
    assertThat(t.untilMillis("2001-01-01T00:00:00Z", "x")).isGreaterThanOrEqualTo(now);
    assertThat(t.untilMillis("-5s", "x")).isBetween(now, now + 1000);
    assertThat(t.untilMillis("soon", "x")).isNull();
    assertThat(t.untilMillis("5", "x")).isNull();
  }
}
