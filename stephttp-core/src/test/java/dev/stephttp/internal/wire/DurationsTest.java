package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class DurationsTest {

  @ParameterizedTest(name = "{0} -> {1} ns")
  @CsvSource({
    "0, 0",
    "-0, 0",
    "+0, 0",
    "1ns, 1",
    "1us, 1000",
    "1\u00b5s, 1000",
    "1\u03bcs, 1000",
    "1ms, 1000000",
    "1s, 1000000000",
    "1m, 60000000000",
    "1h, 3600000000000",
    "1d, 86400000000000",
    "1w, 604800000000000",
    "90s, 90000000000",
    "1m30s, 90000000000",
    "1.5h, 5400000000000",
    ".5s, 500000000",
    "5.s, 5000000000",
    "-1m, -60000000000",
    "+2h, 7200000000000",
    "1d12h, 129600000000000",
    "1h1h, 7200000000000",
    "0s, 0",
    "00010s, 10000000000",
    "1.0000000009s, 1000000000",
    "1.5ns, 1",
    "2562047h47m16.854775807s, 9223372036854775807",
    "-2562047h47m16.854775808s, -9223372036854775808",
  })
  void parsesTheSection64Grammar(String input, long nanos) {
    assertThat(Durations.parse(input)).isEqualTo(Duration.ofNanos(nanos));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "", "-", "+", "1", "10", "s", "1x", "1S", "1H", "1 s", " 1s", "1s ", "1.2.3s", ".s", "1..s",
        "--1s", "1s-1s", "1sec", "1mss", "P1D", "1e3s", "2562048h", "-2562047h47m16.854775809s"
      })
  void rejectsAnythingElseQuotingTheInput(String input) {
    assertThatThrownBy(() -> Durations.parse(input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("\"" + input + "\"");
  }

  @ParameterizedTest(name = "{0} ns -> {1}")
  @CsvSource({
    "0, 0s",
    "1, 1ns",
    "1000, 1us",
    "1500000000, 1s500ms",
    "90000000000, 1m30s",
    "129600000000000, 1d12h",
    "604800000000000, 1w",
    "694861001001001, 1w1d1h1m1s1ms1us1ns",
    "-60000000000, -1m",
    "3600000000000, 1h",
  })
  void formatsGoStyle(long nanos, String expected) {
    assertThat(Durations.format(Duration.ofNanos(nanos))).isEqualTo(expected);
  }

  @Test
  void formatsDurationsBeyondTheLongNanosecondRange() {
    assertThat(Durations.format(Duration.ofDays(7 * 100_000L))).isEqualTo("100000w");
    assertThat(Durations.format(Duration.ofSeconds(Long.MIN_VALUE))).startsWith("-").endsWith("s");
  }
}
