package dev.stephttp.it;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** How often each step body ran, by key ({@code <tag>/<step>}). Thread-safe. */
public final class Counters {
  private final Map<String, AtomicInteger> counts = new ConcurrentHashMap<>();

  /** Counts one more run of {@code key} and returns the new count. */
  public int increment(String key) {
    return counts.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
  }

  /** How often {@code key} ran so far. */
  public int get(String key) {
    AtomicInteger n = counts.get(key);
    return n == null ? 0 : n.get();
  }
}
