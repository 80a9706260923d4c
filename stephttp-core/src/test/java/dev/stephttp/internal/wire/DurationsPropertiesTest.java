package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.util.Random;
import java.util.stream.LongStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Duration round trips over generated values (fixed seed), and a fuzz test of the parser: any
 * text either parses to a duration that formats back to an equal one, or is rejected with {@link
 * IllegalArgumentException} — never another exception.
 */
class DurationsPropertiesTest {

  static LongStream nanos() {
    Random random = new Random(20261127L);
    return LongStream.concat(LongStream.of(0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1_000_000_000L),
        random.longs(300));
  }

  static LongStream seconds() {
    Random random = new Random(11L);
    return LongStream.concat(LongStream.of(0, 1, 59, 60, 3600, 86_400, 366L * 86_400, -366L * 86_400),
        random.longs(300, -366L * 86_400, 366L * 86_400 + 1));
  }

  @ParameterizedTest
  @MethodSource("nanos")
  void formatThenParseGivesTheSameDuration(long nanos) {
    Duration d = Duration.ofNanos(nanos);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @ParameterizedTest
  @MethodSource("seconds")
  void wholeSecondDurationsRoundTripWithoutSubSecondUnits(long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    String text = Durations.format(d);

    assertThat(text).doesNotContain("ms", "us", "ns");
    assertThat(Durations.parse(text)).isEqualTo(d);
  }

  @FuzzTest(maxDuration = "20s")
  void parserAcceptsOrRejectsCleanly(FuzzedDataProvider data) {
    String text = data.consumeRemainingAsString();
    Duration parsed;
    try {
      parsed = Durations.parse(text);
    } catch (IllegalArgumentException rejected) {
      assertThat(rejected.getMessage()).isNotBlank();
      return;
    }
    assertThat(Durations.parse(Durations.format(parsed))).isEqualTo(parsed);
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedTextIsRejectedWithAMessage(String text) {
    assertThatThrownBy(() -> Durations.parse(text)).isInstanceOf(IllegalArgumentException.class);
  }

  static String[] malformed() {
    return new String[] {"", "h", "1", "1x", "-", "1h-", "9999999999999999999999h", "1.5.5s", " 1s"};
  }
}
