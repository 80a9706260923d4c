package dev.stephttp.orchestrator;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * In-memory store for tests and {@code Orchestrator.inMemory()}: Java collections under one
 * lock. A write that throws is undone through an undo log, so it has the same
 * all-or-nothing behaviour as the SQLite store. Nothing survives the process.
 */
final class MemoryStore implements Store {
  private final Map<String, RunRecord> runs = new HashMap<>();
  private final Map<String, LinkedHashMap<String, String>> steps = new HashMap<>();
  private final TreeMap<Long, WorkItem> work = new TreeMap<>();
  private final Map<Long, Long> leases = new HashMap<>();
  private final TreeMap<Long, Pause> pauses = new TreeMap<>();
  /** event name → eq path ("" = not indexed) → eq value ("" when not indexed) → pause ids. */
  private final Map<String, Map<String, Map<String, List<Long>>>> pauseIndex = new HashMap<>();
  private final MemMgmt mgmt = new MemMgmt(runs);
  private final Map<String, byte[]> meta = new HashMap<>();
  private long nextId = 1;

  @Override
  public synchronized <T> CompletableFuture<T> write(TxWork<T> w) {
    MemTx tx = new MemTx();
    T result;
    try {
      result = w.apply(tx);
    } catch (Throwable t) {
      while (!tx.undo.isEmpty()) {
        tx.undo.pop().run();
      }
      return CompletableFuture.failedFuture(t);
    }
    for (Runnable r : tx.callbacks) {
      r.run();
    }
    return CompletableFuture.completedFuture(result);
  }

  @Override
  public synchronized <T> T read(TxWork<T> w) {
    return w.apply(new MemTx());
  }

  @Override
  public synchronized byte[] secret(String name) {
    return meta.computeIfAbsent(name, k -> {
      byte[] b = new byte[32];
      new SecureRandom().nextBytes(b);
      return b;
    });
  }

  @Override
  public void close() {
    // nothing to release
  }

  private List<Long> indexSlot(Pause p) {
    String path = p.eqPath() == null ? "" : p.eqPath();
    String value = p.eqPath() == null ? "" : p.eqValue();
    return pauseIndex.computeIfAbsent(p.eventName(), k -> new HashMap<>())
        .computeIfAbsent(path, k -> new HashMap<>())
        .computeIfAbsent(value, k -> new ArrayList<>());
  }

  private final class MemTx implements Tx {
    final Deque<Runnable> undo = new ArrayDeque<>();
    final List<Runnable> callbacks = new ArrayList<>();

    @Override
    public RunRecord run(String runId) {
      return runs.get(runId);
    }

    @Override
    public void insertRun(RunRecord run) {
      if (runs.containsKey(run.id())) {
        throw new StoreException("duplicate run " + run.id(), null);
      }
      runs.put(run.id(), run);
      undo.push(() -> runs.remove(run.id()));
    }

    @Override
    public void updateRun(RunRecord run) {
      RunRecord old = runs.put(run.id(), run);
      undo.push(() -> runs.put(run.id(), old));
    }

    @Override
    public boolean putStep(String runId, String stepId, String valueJson) {
      LinkedHashMap<String, String> m = steps.computeIfAbsent(runId, k -> new LinkedHashMap<>());
      if (m.containsKey(stepId)) {
        return false;
      }
      m.put(stepId, valueJson);
      undo.push(() -> m.remove(stepId));
      return true;
    }

    @Override
    public Map<String, String> steps(String runId) {
      return new LinkedHashMap<>(steps.getOrDefault(runId, new LinkedHashMap<>()));
    }

    @Override
    public WorkItem insertWork(WorkItem item) {
      WorkItem stored = item.withId(nextId++);
      work.put(stored.id(), stored);
      undo.push(() -> work.remove(stored.id()));
      return stored;
    }

    @Override
    public WorkItem work(long id) {
      return work.get(id);
    }

    @Override
    public boolean deleteWork(long id) {
      WorkItem old = work.remove(id);
      if (old == null) {
        return false;
      }
      Long lease = leases.remove(id);
      undo.push(() -> {
        work.put(id, old);
        if (lease != null) {
          leases.put(id, lease);
        }
      });
      return true;
    }

    @Override
    public List<WorkItem> workForRun(String runId) {
      return work.values().stream().filter(w -> w.runId().equals(runId)).toList();
    }

    @Override
    public void deleteWorkForRun(String runId) {
      for (WorkItem w : workForRun(runId)) {
        deleteWork(w.id());
      }
    }

    @Override
    public void setLease(long workId, Long leaseUntil) {
      Long old = leaseUntil == null ? leases.remove(workId) : leases.put(workId, leaseUntil);
      undo.push(() -> {
        if (old == null) {
          leases.remove(workId);
        } else {
          leases.put(workId, old);
        }
      });
    }

    @Override
    public Pause insertPause(Pause pause) {
      Pause stored = pause.withId(nextId++);
      pauses.put(stored.id(), stored);
      List<Long> slot = indexSlot(stored);
      slot.add(stored.id());
      undo.push(() -> {
        pauses.remove(stored.id());
        slot.remove(stored.id());
      });
      return stored;
    }

    @Override
    public Pause pause(long id) {
      return pauses.get(id);
    }

    @Override
    public boolean deletePause(long id) {
      Pause old = pauses.remove(id);
      if (old == null) {
        return false;
      }
      List<Long> slot = indexSlot(old);
      slot.remove(id);
      undo.push(() -> {
        pauses.put(id, old);
        slot.add(id);
      });
      return true;
    }

    @Override
    public void deletePausesForRun(String runId) {
      List<Long> ids = pauses.values().stream()
          .filter(p -> p.runId().equals(runId)).map(Pause::id).toList();
      for (long id : ids) {
        deletePause(id);
      }
    }

    @Override
    public List<Pause> pauseCandidates(String eventName, Function<String, String> eqKeyOf) {
      Map<String, Map<String, List<Long>>> byPath = pauseIndex.getOrDefault(eventName, Map.of());
      List<Long> ids = new ArrayList<>();
      for (Map.Entry<String, Map<String, List<Long>>> e : byPath.entrySet()) {
        if (e.getKey().isEmpty()) {
          ids.addAll(e.getValue().getOrDefault("", List.of()));
        } else {
          String key = eqKeyOf.apply(e.getKey());
          if (key != null) {
            ids.addAll(e.getValue().getOrDefault(key, List.of()));
          }
        }
      }
      return ids.stream().sorted().map(pauses::get).toList();
    }

    @Override
    public boolean insertEvent(String id, String dedupKey, String name, String json,
        long receivedAt) {
      return mgmt.insertEvent(undo, new EventRecord(id, name, json, receivedAt, dedupKey, null,
          null));
    }

    @Override
    public Map<String, Long> counts() {
      Map<String, Long> out = new LinkedHashMap<>();
      out.put("runs", (long) runs.size());
      out.put("steps", steps.values().stream().mapToLong(Map::size).sum());
      out.put("events", (long) mgmt.events.size());
      out.put("pauses", (long) pauses.size());
      out.put("work", (long) work.size());
      return out;
    }

    @Override
    public List<WorkItem> allWork() {
      return new ArrayList<>(work.values());
    }

    @Override
    public Map<Long, Long> leases() {
      return new HashMap<>(leases);
    }

    @Override
    public void afterCommit(Runnable action) {
      callbacks.add(action);
    }

    @Override
    public StepTrace stepTrace(String runId, String stepKey) {
      return mgmt.stepTrace(runId, stepKey);
    }

    @Override
    public void putStepTrace(StepTrace trace) {
      mgmt.putStepTrace(undo, trace);
    }

    @Override
    public List<StepTrace> stepTraces(String runId) {
      return mgmt.stepTraces(runId);
    }

    @Override
    public List<RunRecord> runs(RunFilter filter, int limit) {
      return mgmt.runs(filter, limit);
    }

    @Override
    public Map<RunStatus, Long> countRuns(RunFilter filter) {
      return mgmt.countRuns(filter);
    }

    @Override
    public Map<String, Long> countWaits(RunFilter filter) {
      return mgmt.countWaits(filter);
    }

    @Override
    public void touchFunction(FunctionRecord fn) {
      mgmt.touchFunction(undo, fn);
    }

    @Override
    public List<AppRecord> apps(String afterId, int limit) {
      return mgmt.apps(afterId, limit);
    }

    @Override
    public AppRecord app(String id) {
      return mgmt.app(id);
    }

    @Override
    public List<FunctionRecord> functions(String appId, String afterId, int limit) {
      return mgmt.functions(appId, afterId, limit);
    }

    @Override
    public FunctionRecord function(String appId, String fnId) {
      return mgmt.function(appId, fnId);
    }

    @Override
    public boolean insertEventRecord(EventRecord event) {
      return mgmt.insertEvent(undo, event);
    }

    @Override
    public EventRecord event(String id) {
      return mgmt.events.get(id);
    }

    @Override
    public EventRecord eventByApiKey(String key) {
      return mgmt.eventByApiKey(key);
    }

    @Override
    public void clearApiKey(String eventId) {
      mgmt.clearApiKey(undo, eventId);
    }

    @Override
    public List<EventRecord> events(EventFilter filter, int limit) {
      return mgmt.events(filter, limit);
    }

    @Override
    public void linkResumed(String eventId, String runId, String stepKey, long at) {
      mgmt.linkResumed(undo, eventId, runId);
    }
  }
}
