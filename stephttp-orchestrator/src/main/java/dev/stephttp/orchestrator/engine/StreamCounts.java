package dev.stephttp.orchestrator.engine;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How many stream chunks each run published to the realtime relay (docs/protocol.md §2.7), and how
 * many of them their step committed or rolled back: written by the relay as events arrive, read
 * by the management API's run view. Kept in memory only, for the {@link #MAX_RUNS} runs streamed
 * or read most recently; a restart forgets them. Thread-safe.
 */
public final class StreamCounts {
  /** Runs whose counts are kept; the least recently streamed or read one makes room. */
  public static final int MAX_RUNS = 10_000;
  /** Steps of one run whose chunks wait for their commit or rollback; chunks of more are counted only. */
  static final int MAX_OPEN_STEPS = 1_000;

  /**
   * One run's counts at one moment.
   *
   * @param chunks every {@code inngest.stream} event published
   * @param committed chunks of a step whose {@code inngest.commit} followed them
   * @param rolledBack chunks of a step whose {@code inngest.rollback} followed them
   */
  public record Counts(long chunks, long committed, long rolledBack) {}

  /** Access order: the first entry is the run streamed or read least recently. */
  private final Map<String, Tally> runs = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Tally> eldest) {
      return size() > MAX_RUNS;
    }
  };

  /** A chunk pushed inside the step {@code hashedStepId}, or outside any step when it is null. */
  public synchronized void chunk(String runId, String hashedStepId) {
    Tally t = runs.computeIfAbsent(runId, k -> new Tally());
    t.chunks++;
    if (hashedStepId != null && (t.open.size() < MAX_OPEN_STEPS || t.open.containsKey(hashedStepId))) {
      t.open.merge(hashedStepId, 1L, Long::sum);
    }
  }

  /** The step's function returned: its chunks so far stand. */
  public synchronized void commit(String runId, String hashedStepId) {
    Tally t = runs.get(runId);
    if (t != null && hashedStepId != null) {
      t.committed += t.open.getOrDefault(hashedStepId, 0L);
      t.open.remove(hashedStepId);
    }
  }

  /** The step's function threw: its chunks so far are dropped (a retry pushes them again). */
  public synchronized void rollback(String runId, String hashedStepId) {
    Tally t = runs.get(runId);
    if (t != null && hashedStepId != null) {
      t.rolledBack += t.open.getOrDefault(hashedStepId, 0L);
      t.open.remove(hashedStepId);
    }
  }

  /** The run's counts, or null when it published no chunk (or its counts were forgotten). */
  public synchronized Counts of(String runId) {
    Tally t = runs.get(runId);
    return t == null ? null : new Counts(t.chunks, t.committed, t.rolledBack);
  }

  private static final class Tally {
    /** Chunks of each step that has not committed or rolled back yet. */
    final Map<String, Long> open = new HashMap<>();
    long chunks;
    long committed;
    long rolledBack;
  }
}
