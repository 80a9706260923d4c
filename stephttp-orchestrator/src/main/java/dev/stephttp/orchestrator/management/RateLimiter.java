package dev.stephttp.orchestrator.management;

import dev.stephttp.orchestrator.management.Quotas.Quota;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * GCRA (leaky bucket) rate limiting of the management API (docs/management-api.md §4.1). A request is
 * admitted only when every applicable bucket admits it, and then all of them are charged.
 * Buckets live in memory; times are kept in microseconds so that high rates stay exact.
 * Thread-safe.
 */
final class RateLimiter {

  /** Result of a check: the reported bucket's headers, and the retry delay when rejected. */
  record Decision(boolean allowed, String rejectedBucket, long limit, long remaining,
      long resetEpochSec, long retryAfterSec) {}

  /** A bucket to check: its key (category + credential) and its limit. */
  record Request(String category, String key, Quota limit) {}

  private final ConcurrentHashMap<String, long[]> tat = new ConcurrentHashMap<>();
  private final Clock clock;

  /** {@code clock} gives epoch milliseconds. */
  RateLimiter(Clock clock) {
    this.clock = clock;
  }

  private long nowMicros() {
    return clock.millis() * 1000;
  }

  /** Checks (and on success charges) all buckets atomically. */
  synchronized Decision check(List<Request> buckets) {
    long now = nowMicros();
    boolean allowed = true;
    long retry = 0;
    String rejected = null;
    List<long[]> states = new ArrayList<>();
    for (Request b : buckets) {
      long[] state = tat.computeIfAbsent(b.category() + "|" + b.key(), k -> new long[] {now});
      states.add(state);
      long t = b.limit().intervalMicros();
      long tau = b.limit().burst() * t;
      long next = Math.max(state[0], now) + t;
      if (next - now > tau + t) {
        if (allowed) {
          rejected = b.category();
        }
        allowed = false;
        retry = Math.max(retry,
            Math.max(1, ceilDiv(Math.max(state[0], now) - now - tau, 1_000_000)));
      }
    }
    if (allowed) {
      for (int i = 0; i < buckets.size(); i++) {
        long[] s = states.get(i);
        s[0] = Math.max(s[0], now) + buckets.get(i).limit().intervalMicros();
      }
    }
    // §4.3: report the bucket with the smallest remaining; on a tie the category bucket (listed
    // first) wins over global.
    long bestRemaining = Long.MAX_VALUE;
    long limit = 0;
    long reset = 0;
    for (int i = 0; i < buckets.size(); i++) {
      Quota l = buckets.get(i).limit();
      long t = l.intervalMicros();
      long base = Math.max(states.get(i)[0], now);
      long remaining = Math.max(0, Math.floorDiv(l.burst() * t + t - (base - now), t));
      if (remaining < bestRemaining) {
        bestRemaining = remaining;
        limit = l.perHour();
        reset = ceilDiv(base, 1_000_000);
      }
    }
    return new Decision(allowed, rejected, limit, bestRemaining, reset, allowed ? 0 : retry);
  }

  /** Whether a bucket is currently empty (the per-IP auth-failure block, §4.4). */
  synchronized boolean blocked(String category, String key, Quota limit) {
    long[] s = tat.get(category + "|" + key);
    if (s == null) {
      return false;
    }
    long now = nowMicros();
    long t = limit.intervalMicros();
    return Math.max(s[0], now) + t - now > limit.burst() * t + t;
  }

  /** Charges a bucket without checking (auth failures); never rejects. */
  synchronized void charge(String category, String key, Quota limit) {
    long now = nowMicros();
    long[] s = tat.computeIfAbsent(category + "|" + key, k -> new long[] {now});
    s[0] = Math.max(s[0], now) + limit.intervalMicros();
  }

  private static long ceilDiv(long a, long b) {
    return -Math.floorDiv(-a, b);
  }
}
