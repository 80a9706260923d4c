package dev.stephttp.orchestrator.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import org.junit.jupiter.api.Test;

/** Retry-After of a re-entry answer: seconds or a date, clamped. */
class ParsingRulesTest {

  @Test
  void retryAfterIsSecondsOrADateClampedToOneSecondAndOneDay() {
    Instant now = Instant.now();
    assertThat(Reentry.retryAfter("30", now)).isBetween(now.plusSeconds(29), now.plusSeconds(31));
    assertThat(Reentry.retryAfter("0", now)).isNull();
    assertThat(Reentry.retryAfter("junk", now)).isNull();
    assertThat(Reentry.retryAfter("9999999", now)).isBetween(now.plusSeconds(86_399),
        now.plusSeconds(86_401));
    String http = DateTimeFormatter.RFC_1123_DATE_TIME.format(
        now.plusSeconds(120).atOffset(ZoneOffset.UTC));
    assertThat(Reentry.retryAfter(http, now)).isBetween(now.plusSeconds(118), now.plusSeconds(121));
    assertThat(Reentry.retryAfter("2001-01-01T00:00:00Z", now)).isBetween(now,
        now.plusSeconds(2));
  }
}
