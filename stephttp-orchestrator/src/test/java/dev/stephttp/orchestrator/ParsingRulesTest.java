package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** Small parsing rules: sleep/timeout specs, Retry-After, ULIDs, route normalisation. */
class ParsingRulesTest {

  @Test
  void sleepSpecsAreDurationsOrInstants() {
    long now = System.currentTimeMillis();
    assertThat(Engine.untilMillis("", "x")).isBetween(now, now + 1000);
    assertThat(Engine.untilMillis("1m30s", "x") - now).isBetween(89_000L, 91_000L);
    assertThat(Engine.untilMillis("1w2d3h4m5s", "x") - now)
        .isBetween(Duration.parse("P9DT3H4M4S").toMillis(), Duration.parse("P9DT3H4M6S").toMillis());
    String at = Instant.ofEpochMilli(now + 60_000).toString();
    assertThat(Engine.untilMillis(at, "x")).isEqualTo(now + 60_000);
    assertThat(Engine.untilMillis("2001-01-01T00:00:00Z", "x")).isGreaterThanOrEqualTo(now);
    assertThat(Engine.untilMillis("-5s", "x")).isBetween(now, now + 1000);
    assertThat(Engine.untilMillis("soon", "x")).isNull();
    assertThat(Engine.untilMillis("5", "x")).isNull();
  }

  @Test
  void retryAfterIsSecondsOrADateClampedToOneSecondAndOneDay() {
    Instant now = Instant.now();
    assertThat(Reentry.retryAfter("30")).isBetween(now.plusSeconds(29), now.plusSeconds(31));
    assertThat(Reentry.retryAfter("0")).isNull();
    assertThat(Reentry.retryAfter("junk")).isNull();
    assertThat(Reentry.retryAfter("9999999")).isBetween(now.plusSeconds(86_399),
        now.plusSeconds(86_401));
    String http = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        now.plusSeconds(120).atOffset(ZoneOffset.UTC));
    assertThat(Reentry.retryAfter(http)).isBetween(now.plusSeconds(118), now.plusSeconds(121));
    assertThat(Reentry.retryAfter("2001-01-01T00:00:00Z")).isBetween(now,
        now.plusSeconds(2));
  }

  @Test
  void ulidsAreValidated() {
    assertThat(RunRequests.isUlid("01J9Z3K6W8T6M0V2Q4R5S7X8Y9")).isTrue();
    assertThat(RunRequests.isUlid("01j9z3k6w8t6m0v2q4r5s7x8y9")).isTrue();
    assertThat(RunRequests.isUlid("81J9Z3K6W8T6M0V2Q4R5S7X8Y9")).isFalse(); // overflow
    assertThat(RunRequests.isUlid("01J9Z3K6W8T6M0V2Q4R5S7X8YU")).isFalse(); // U not allowed
    assertThat(RunRequests.isUlid("01J9Z3K6W8")).isFalse();
  }

  @Test
  void routesCollapseDuplicateAndTrailingSlashes() {
    assertThat(ApiServlet.normalise("//v1//checkpoint/")).isEqualTo("/v1/checkpoint");
    assertThat(ApiServlet.normalise("/")).isEqualTo("/");
    assertThat(ApiServlet.normalise("")).isEqualTo("/");
  }
}
