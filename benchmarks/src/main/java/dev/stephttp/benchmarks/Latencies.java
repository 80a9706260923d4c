package dev.stephttp.benchmarks;

import java.util.Arrays;

/** Recorded latencies in nanoseconds (one recorder per thread, merged at the end). */
final class Latencies {
  private long[] values = new long[1024];
  private int size;

  void add(long nanos) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = nanos;
  }

  int count() {
    return size;
  }

  static Latencies merge(Iterable<Latencies> parts) {
    Latencies all = new Latencies();
    for (Latencies p : parts) {
      for (int i = 0; i < p.size; i++) {
        all.add(p.values[i]);
      }
    }
    return all;
  }

  /** The q-quantile (0..1) in milliseconds, by the nearest-rank method; NaN when empty. */
  double percentileMillis(double q) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(values, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(q * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))] / 1e6;
  }

  double maxMillis() {
    return percentileMillis(1.0);
  }
}
