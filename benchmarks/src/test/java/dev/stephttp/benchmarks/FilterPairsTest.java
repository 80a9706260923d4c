package dev.stephttp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The paired measurement's schedule and statistics ({@link FilterPairs}), and one short run. */
class FilterPairsTest {
  @Test
  void windowsAlternateInAbbaOrderWarmUpIncluded() {
    int[] order = IntStream.rangeClosed(-4, 7).map(w -> FilterPairs.pathOf(w)).toArray();
    // warm-up -4..-1, then pairs 0..3 (0 = /plain, 1 = /filtered)
    assertThat(order).containsExactly(0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1, 0);
  }

  @Test
  void pairRatiosAreFilteredOverPlainWhicheverCameFirst() {
    // pair 0: plain 100 then filtered 90; pair 1: filtered 80 then plain 100; pair 2: plain 50, filtered 100
    double[] r = FilterPairs.pairRatios(new long[] {100, 90, 80, 100, 50, 100});
    assertThat(r).containsExactly(0.9, 0.8, 2.0);
    assertThatThrownBy(() -> FilterPairs.pairRatios(new long[] {1, 2, 3}))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertThat(FilterPairs.median(new double[] {3, 1, 2})).isEqualTo(2.0);
    assertThat(FilterPairs.median(new double[] {4, 1, 3, 2})).isEqualTo(2.5);
    assertThat(FilterPairs.median(new double[0])).isNaN();
  }

  @Test
  void binomialTailsMatchExactFractions() {
    assertThat(FilterPairs.binomialHalfAtMost(10, 0)).isCloseTo(1 / 1024.0, within(1e-12));
    assertThat(FilterPairs.binomialHalfAtMost(10, 1)).isCloseTo(11 / 1024.0, within(1e-12));
    assertThat(FilterPairs.binomialHalfAtMost(10, 2)).isCloseTo(56 / 1024.0, within(1e-12));
    assertThat(FilterPairs.binomialHalfAtMost(10, 10)).isCloseTo(1.0, within(1e-12));
    // 2000 values: 2^-2000 underflows a double, the logarithms do not
    assertThat(FilterPairs.binomialHalfAtMost(2000, 1000)).isCloseTo(0.5 + 0.5 * 0.0178, within(1e-3));
  }

  @Test
  void medianIntervalTakesTheOrderStatisticsOfTheBinomialTail() {
    // the values 1..n, shuffled: the interval's ends are the ranks themselves
    double[] ten = {7, 2, 10, 4, 1, 9, 3, 8, 6, 5};
    // n = 10 at 95%: P(B <= 1) = 0.0107 <= 0.025 < P(B <= 2) = 0.0547, so ranks 2 and 9
    assertThat(FilterPairs.medianInterval(ten, 0.95)).containsExactly(2.0, 9.0);
    double[] thirty = IntStream.rangeClosed(1, 30).map(i -> 31 - i).asDoubleStream().toArray();
    // n = 30: P(B <= 9) = 0.0214, P(B <= 10) = 0.0494, so ranks 10 and 21
    assertThat(FilterPairs.medianInterval(thirty, 0.95)).containsExactly(10.0, 21.0);
    // n = 6: P(B <= 0) = 0.0156 <= 0.025, so ranks 1 and 6; n = 5 has no such rank: the range
    assertThat(FilterPairs.medianInterval(new double[] {6, 5, 4, 3, 2, 1}, 0.95)).containsExactly(1.0, 6.0);
    assertThat(FilterPairs.medianInterval(new double[] {5, 4, 3, 2, 1}, 0.95)).containsExactly(1.0, 5.0);
    // n = 30 at 50%: P(B <= 12) = 0.181 <= 0.25 < P(B <= 13) = 0.292, so ranks 13 and 18
    assertThat(FilterPairs.medianInterval(thirty, 0.5)).containsExactly(13.0, 18.0);
    assertThat(FilterPairs.medianInterval(new double[0], 0.95)).containsExactly(Double.NaN, Double.NaN);
  }

  @Test
  @Timeout(60)
  void aShortPairedRunMeasuresBothPathsInEveryPair() throws Exception {
    Summary s = FilterLoad.run(new Args(new String[] {"--interleave-ms", "150", "--pairs", "4",
        "--rounds", "2", "--warmup-ms", "300", "--connections", "2"}));
    assertThat(s.median(FilterPairs.REFERENCE, "req/s")).isPositive();
    assertThat(s.median(FilterPairs.OTHER, "req/s")).isPositive();
    assertThat(s.median(FilterPairs.OTHER, FilterPairs.PAIRS)).isEqualTo(4.0);
    assertThat(s.median(FilterPairs.OTHER, FilterPairs.PAIR_MEDIAN)).isPositive()
        .isBetween(s.median(FilterPairs.OTHER, FilterPairs.PAIR_LOW),
            s.median(FilterPairs.OTHER, FilterPairs.PAIR_HIGH));
    assertThat(s.median(FilterPairs.OTHER, "errors")).isZero();
    assertThat(s.median(FilterPairs.POOLED, FilterPairs.PAIRS)).isEqualTo(8.0);
    assertThat(s.markdown()).contains("150 ms windows (ABBA)", FilterPairs.POOLED);
    assertThatThrownBy(() -> FilterLoad.run(new Args(new String[] {"--interleave-ms", "100",
        "--paths", "/plain,/steps"}))).isInstanceOf(IllegalArgumentException.class);
  }
}
