package dev.stephttp.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

class DurationsPropertiesTest {

  @Property
  void formatThenParseGivesTheSameDuration(@ForAll long nanos) {
    Duration d = Duration.ofNanos(nanos);
    assertThat(Durations.parse(Durations.format(d))).isEqualTo(d);
  }

  @Property
  void wholeSecondDurationsRoundTrip(
      @ForAll @LongRange(min = -366L * 86_400, max = 366L * 86_400) long seconds) {
    Duration d = Duration.ofSeconds(seconds);
    String text = Durations.format(d);

    assertThat(text).doesNotContain("ms", "us", "ns");
    assertThat(Durations.parse(text)).isEqualTo(d);
  }
}
