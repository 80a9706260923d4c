package dev.stephttp.orchestrator;

import java.util.ArrayList;
import java.util.Deque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * In-memory side of the management API for {@link MemoryStore}: step traces, apps, functions,
 * events and event→run links. Guarded by the store's lock; every change pushes its undo action.
 */
final class MemMgmt {
  private final Map<String, RunRecord> runs;
  private final Map<String, LinkedHashMap<String, StepTrace>> traces = new HashMap<>();
  private final TreeMap<String, long[]> apps = new TreeMap<>();
  private final Map<String, TreeMap<String, FunctionRecord>> functions = new HashMap<>();
  final TreeMap<String, EventRecord> events = new TreeMap<>();
  private final Map<String, String> apiKeys = new HashMap<>();
  private final Set<String> dedupKeys = new HashSet<>();
  private final Map<String, Set<String>> resumed = new HashMap<>();

  MemMgmt(Map<String, RunRecord> runs) {
    this.runs = runs;
  }

  StepTrace stepTrace(String runId, String stepKey) {
    Map<String, StepTrace> m = traces.get(runId);
    return m == null ? null : m.get(stepKey);
  }

  void putStepTrace(Deque<Runnable> undo, StepTrace t) {
    LinkedHashMap<String, StepTrace> m = traces.computeIfAbsent(t.runId(),
        k -> new LinkedHashMap<>());
    StepTrace old = m.put(t.stepKey(), t);
    undo.push(() -> {
      if (old == null) {
        m.remove(t.stepKey());
      } else {
        m.put(t.stepKey(), old);
      }
    });
  }

  List<StepTrace> stepTraces(String runId) {
    return new ArrayList<>(traces.getOrDefault(runId, new LinkedHashMap<>()).values());
  }

  List<RunRecord> runs(RunFilter f, int limit) {
    Set<String> res = f.resumedBy() == null ? Set.of()
        : resumed.getOrDefault(f.resumedBy(), Set.of());
    return runs.values().stream().filter(r -> f.matches(r, res)).sorted(f.order())
        .limit(limit).toList();
  }

  Map<RunStatus, Long> countRuns(RunFilter f) {
    Map<RunStatus, Long> out = new EnumMap<>(RunStatus.class);
    for (RunRecord r : runs(f.after(null, null), Integer.MAX_VALUE)) {
      out.merge(r.status(), 1L, Long::sum);
    }
    return out;
  }

  Map<String, Long> countWaits(RunFilter f) {
    Map<String, Long> out = new LinkedHashMap<>();
    RunFilter running = f.withStatuses(Set.of(RunStatus.RUNNING)).withoutTime();
    for (RunRecord r : runs(running, Integer.MAX_VALUE)) {
      for (StepTrace t : traces.getOrDefault(r.id(), new LinkedHashMap<>()).values()) {
        if (t.waitReason() != null) {
          out.merge(t.waitReason(), 1L, Long::sum);
        }
      }
    }
    return out;
  }

  void touchFunction(Deque<Runnable> undo, FunctionRecord fn) {
    long[] oldApp = apps.get(fn.appId());
    long[] app = oldApp == null ? new long[] {fn.createdAt(), fn.lastSeenAt()}
        : new long[] {oldApp[0], Math.max(oldApp[1], fn.lastSeenAt())};
    apps.put(fn.appId(), app);
    TreeMap<String, FunctionRecord> fns = functions.computeIfAbsent(fn.appId(),
        k -> new TreeMap<>());
    FunctionRecord oldFn = fns.get(fn.id());
    fns.put(fn.id(), oldFn == null ? fn : new FunctionRecord(fn.appId(), fn.id(), oldFn.name(),
        fn.retries(), oldFn.createdAt(), Math.max(oldFn.lastSeenAt(), fn.lastSeenAt())));
    undo.push(() -> {
      if (oldApp == null) {
        apps.remove(fn.appId());
      } else {
        apps.put(fn.appId(), oldApp);
      }
      if (oldFn == null) {
        fns.remove(fn.id());
      } else {
        fns.put(fn.id(), oldFn);
      }
    });
  }

  List<AppRecord> apps(String afterId, int limit) {
    Map<String, long[]> tail = afterId == null ? apps : apps.tailMap(afterId, false);
    List<AppRecord> out = new ArrayList<>();
    for (String id : tail.keySet()) {
      if (out.size() >= limit) {
        break;
      }
      out.add(app(id));
    }
    return out;
  }

  AppRecord app(String id) {
    long[] a = apps.get(id);
    return a == null ? null
        : new AppRecord(id, a[0], a[1], functions.getOrDefault(id, new TreeMap<>()).size());
  }

  List<FunctionRecord> functions(String appId, String afterId, int limit) {
    TreeMap<String, FunctionRecord> fns = functions.getOrDefault(appId, new TreeMap<>());
    return (afterId == null ? fns : fns.tailMap(afterId, false)).values().stream().limit(limit)
        .toList();
  }

  FunctionRecord function(String appId, String fnId) {
    return functions.getOrDefault(appId, new TreeMap<>()).get(fnId);
  }

  boolean insertEvent(Deque<Runnable> undo, EventRecord e) {
    String dedup = e.apiKey() == null ? e.idempotencyKey() : null;
    if (events.containsKey(e.id()) || (dedup != null && dedupKeys.contains(dedup))
        || (e.apiKey() != null && apiKeys.containsKey(e.apiKey()))) {
      return false;
    }
    events.put(e.id(), e);
    if (dedup != null) {
      dedupKeys.add(dedup);
    }
    if (e.apiKey() != null) {
      apiKeys.put(e.apiKey(), e.id());
    }
    undo.push(() -> {
      events.remove(e.id());
      if (dedup != null) {
        dedupKeys.remove(dedup);
      }
      if (e.apiKey() != null) {
        apiKeys.remove(e.apiKey());
      }
    });
    return true;
  }

  EventRecord eventByApiKey(String key) {
    String id = apiKeys.get(key);
    return id == null ? null : events.get(id);
  }

  void clearApiKey(Deque<Runnable> undo, String eventId) {
    EventRecord e = events.get(eventId);
    if (e != null && e.apiKey() != null) {
      apiKeys.remove(e.apiKey());
      events.put(eventId, new EventRecord(e.id(), e.name(), e.json(), e.receivedAt(),
          e.idempotencyKey(), null, e.fingerprint()));
      undo.push(() -> {
        apiKeys.put(e.apiKey(), eventId);
        events.put(eventId, e);
      });
    }
  }

  List<EventRecord> events(EventFilter f, int limit) {
    return (f.desc() ? events.descendingMap() : events).values().stream().filter(f::matches)
        .limit(limit).toList();
  }

  void linkResumed(Deque<Runnable> undo, String eventId, String runId) {
    Set<String> set = resumed.computeIfAbsent(eventId, k -> new HashSet<>());
    if (set.add(runId)) {
      undo.push(() -> set.remove(runId));
    }
  }
}
