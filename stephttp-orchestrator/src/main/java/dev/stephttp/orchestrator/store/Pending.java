package dev.stephttp.orchestrator.store;

import dev.stephttp.orchestrator.model.EventRecord;
import dev.stephttp.orchestrator.model.FunctionRecord;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.StepTrace;
import dev.stephttp.orchestrator.model.WorkItem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes held back by the write connection to be sent as one multi-row statement per table:
 * those of the current write request, then, once it succeeded, those of the whole group commit
 * ({@link #absorb}). Holds the last state of each row (a run updated three times is written
 * once). Confined to the writer thread.
 */
final class Pending {
  /** Run rows by ID, in their final state (inserted or updated alike: written as upserts). */
  final Map<String, RunRecord> runs = new LinkedHashMap<>();
  /** Step rows (trace and value) by run ID and step key. */
  final Map<String, StepRow> steps = new LinkedHashMap<>();
  /** Work items to insert, by their (already allocated) ID. */
  final Map<Long, WorkItem> work = new LinkedHashMap<>();
  /** Runs whose stored work items are deleted (before {@link #work} is inserted). */
  final Set<String> workDeletedRuns = new LinkedHashSet<>();
  /** Trigger events of new runs. */
  final List<EventRecord> events = new ArrayList<>();
  /** Apps and functions touched, by app and function ID. */
  final Map<String, FunctionRecord> functions = new LinkedHashMap<>();

  boolean isEmpty() {
    return runs.isEmpty() && steps.isEmpty() && work.isEmpty()
        && workDeletedRuns.isEmpty() && events.isEmpty() && functions.isEmpty();
  }

  void clear() {
    runs.clear();
    steps.clear();
    work.clear();
    workDeletedRuns.clear();
    events.clear();
    functions.clear();
  }

  /**
   * One step's row to write: its trace as last changed (null while the step has none) and the
   * value it was given ({@code null}: none given since the last write).
   */
  record StepRow(String runId, String stepKey, StepTrace trace, String value) {
    /** This row then a later write of it: the later trace, the first value (it never changes). */
    StepRow then(StepRow later) {
      return new StepRow(runId, stepKey, later.trace != null ? later.trace : trace,
          value != null ? value : later.value);
    }
  }

  void putStep(StepRow row) {
    steps.merge(row.runId() + '\n' + row.stepKey(), row, StepRow::then);
  }

  /** Every work item of the run goes, the held-back ones and the stored ones. */
  void deleteWorkOf(String runId) {
    work.values().removeIf(w -> w.runId().equals(runId));
    workDeletedRuns.add(runId);
  }

  /** Merges a touch as the store applies two in a row: first creation, last retries, latest use. */
  void touch(FunctionRecord fn) {
    functions.merge(fn.appId() + '\n' + fn.id(), fn, (a, b) -> new FunctionRecord(a.appId(),
        a.id(), a.name(), b.retries(), Math.min(a.createdAt(), b.createdAt()),
        Math.max(a.lastSeenAt(), b.lastSeenAt())));
  }

  /** Adds the writes of a later request (this one holds the group commit's). */
  void absorb(Pending later) {
    runs.putAll(later.runs);
    later.steps.values().forEach(this::putStep);
    for (String runId : later.workDeletedRuns) {
      deleteWorkOf(runId);
    }
    work.putAll(later.work);
    events.addAll(later.events);
    later.functions.values().forEach(this::touch);
  }
}
