package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.StepTrace;
import dev.stephttp.orchestrator.model.WorkItem;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The running runs' state as the write connection last committed it, so that the engine does
 * not re-read a run it just wrote: the run row, its steps (each one's trace and whether it has
 * a value), its work items and whether it has pauses. Each part is loaded from SQLite on its
 * first use (a miss, or after a restart) and then kept in step with every write of the write
 * connection. Bounded (least recently used runs and finished runs leave first). Confined to the
 * writer thread.
 */
final class LiveRuns {
  /** At most this many runs, and about this many bytes of run records, are kept. */
  static final int MAX_RUNS = 4096;
  static final long MAX_BYTES = 64L << 20;

  /** A step's state: its trace (null while it has none) and whether it has a value. */
  record Step(StepTrace trace, boolean valued) {}

  /** One run's state; a null part is not loaded yet. */
  static final class Live {
    RunRecord run;
    /** Steps by step key, in the order they were first recorded. */
    LinkedHashMap<String, Step> steps;
    List<WorkItem> work;
    /** True when the run is known to have no pause. */
    boolean noPauses;
    final long bytes;

    Live(RunRecord run) {
      this.run = run;
      this.bytes = 512 + (run.body() == null ? 0 : run.body().length)
          + (run.event() == null ? 0 : run.event().length());
    }

    /** A run created by this connection: every part is known (empty). */
    static Live fresh(RunRecord run) {
      Live l = new Live(run);
      l.steps = new LinkedHashMap<>();
      l.work = new ArrayList<>();
      l.noPauses = true;
      return l;
    }
  }

  private final LinkedHashMap<String, Live> runs = new LinkedHashMap<>(256, 0.75f, true);
  /** The runs used by the current write request: forgotten if it rolls back. */
  private final Set<String> used = new HashSet<>();
  private final Set<String> finished = new HashSet<>();
  private long bytes;

  /** The run's state, or null when it is not kept. */
  Live get(String runId) {
    Live l = runs.get(runId);
    if (l != null) {
      used.add(runId);
    }
    return l;
  }

  /** Keeps {@code live} for its run (replacing any state kept before). */
  Live put(Live live) {
    Live old = runs.put(live.run.id(), live);
    bytes += live.bytes - (old == null ? 0 : old.bytes);
    used.add(live.run.id());
    return live;
  }

  /** The write request succeeded: the runs it finished leave at the next {@link #trim}. */
  void requestDone() {
    for (String id : used) {
      Live l = runs.get(id);
      if (l != null && !l.run.running()) {
        finished.add(id);
      }
    }
    used.clear();
  }

  /** The write request rolled back: what it used may hold its undone changes. */
  void requestRolledBack() {
    for (String id : used) {
      remove(id);
    }
    used.clear();
  }

  /**
   * The group commit's writes were sent: finished runs leave, then the least recently used
   * beyond the bounds (never earlier: a run's held-back writes need it kept).
   */
  void trim() {
    finished.forEach(this::remove);
    finished.clear();
    Iterator<Map.Entry<String, Live>> it = runs.entrySet().iterator();
    while ((runs.size() > MAX_RUNS || bytes > MAX_BYTES) && it.hasNext()) {
      bytes -= it.next().getValue().bytes;
      it.remove();
    }
  }

  /** The transaction failed to commit: nothing kept can be trusted. */
  void clear() {
    runs.clear();
    used.clear();
    finished.clear();
    bytes = 0;
  }

  private void remove(String id) {
    Live l = runs.remove(id);
    if (l != null) {
      bytes -= l.bytes;
    }
  }
}
