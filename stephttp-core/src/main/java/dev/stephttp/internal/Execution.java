package dev.stephttp.internal;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.Event;
import dev.stephttp.NonRetriableException;
import dev.stephttp.StepFailedException;
import dev.stephttp.StepFunction;
import dev.stephttp.WaitForEvent;
import dev.stephttp.internal.wire.Durations;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.OpError;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import dev.stephttp.internal.wire.Timing;
import dev.stephttp.internal.wire.Userland;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One execution of a handler inside a run: the sync phase of a user's request, or one re-entry
 * by the orchestrator. Owns step indexing (docs/protocol.md §7.1), memoized replay (§4) and the ops
 * the handler produces (§6).
 *
 * <p>Not thread-safe: a handler calls steps one after another, on one thread at a time. The steps
 * of a parallel group run on other threads, but only their functions: the results are recorded on
 * the handler's thread ({@link ParallelSteps}).
 */
public final class Execution {
  private static final ThreadLocal<Execution> CURRENT = new ThreadLocal<>();
  private static final ObjectMapper MAPPER = Json.mapper();
  private static final Timing NO_TIMING = new Timing(0, 0);
  /** Closes the binding of a thread that had none before: one scope for every request. */
  private static final Scope LEAVE = CURRENT::remove;

  /** Which of the two situations the handler runs in (docs/how-it-works.md). */
  public enum Mode {
    /** The user's own request: steps execute inline and are checkpointed in the background. */
    SYNC,
    /** A re-entry: memoized steps replay, the first new step executes and is reported. */
    REENTRY
  }

  private final String runId;
  private final Mode mode;
  private final Map<String, JsonNode> memo;
  private final String targetStepId;
  private final boolean forcePlan;
  private final OpSink sink;
  private final EventPublisher events;
  private final StepThreads threads;
  private final RunOptions options = new RunOptions();
  private final Map<String, Integer> seen = new HashMap<>();
  private final Map<String, StepKey> keys = new HashMap<>();
  private final Map<Class<?>, Object> attachments = new HashMap<>();
  private final List<String> visited = new ArrayList<>();
  private final List<StepFailedException> replayedFailures = new ArrayList<>();
  private int stepsProduced;
  private Suspension suspension;

  private Execution(String runId, Mode mode, Map<String, JsonNode> memo, String targetStepId, boolean forcePlan,
      OpSink sink, EventPublisher events, StepThreads threads) {
    this.runId = Objects.requireNonNull(runId, "runId == null");
    this.mode = mode;
    this.memo = memo;
    this.targetStepId = targetStepId;
    this.forcePlan = forcePlan;
    this.sink = sink;
    this.events = events;
    this.threads = Objects.requireNonNull(threads, "threads == null");
  }

  /**
   * A sync-phase execution whose ops go to {@code sink} as they are produced; parallel steps run on
   * {@code threads}.
   */
  public static Execution sync(String runId, OpSink sink, EventPublisher events, StepThreads threads) {
    return new Execution(runId, Mode.SYNC, Map.of(), null, false, Objects.requireNonNull(sink, "sink == null"),
        events, threads);
  }

  /**
   * A re-entry over memoized state; {@code targetStepId} is the hashed step to execute, or null
   * for discovery; {@code forcePlan} is the orchestrator's {@code X-Inngest-Force-Step-Plan}
   * (docs/protocol.md §5.1): a parallel group then plans even its last pending step.
   */
  public static Execution reentry(String runId, Map<String, JsonNode> memo, String targetStepId, boolean forcePlan,
      EventPublisher events, StepThreads threads) {
    return new Execution(runId, Mode.REENTRY, Map.copyOf(memo), targetStepId, forcePlan, null, events, threads);
  }

  /** The execution bound to the calling thread, or null outside a run. */
  public static Execution current() {
    return CURRENT.get();
  }

  /** Binds this execution to the calling thread until the returned scope is closed. */
  public Scope enter() {
    Execution previous = CURRENT.get();
    CURRENT.set(this);
    return previous == null ? LEAVE : () -> CURRENT.set(previous);
  }

  /** A thread binding that restores the previous one when closed. */
  @FunctionalInterface
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  public String runId() {
    return runId;
  }

  public Mode mode() {
    return mode;
  }

  public RunOptions options() {
    return options;
  }

  /** Keeps integration-specific state of this execution (e.g. the servlet's async response). */
  public <T> void attach(Class<T> type, T value) {
    attachments.put(type, type.cast(value));
  }

  /** What was attached under {@code type}, or null. */
  public <T> T attachment(Class<T> type) {
    return type.cast(attachments.get(type));
  }

  /** Whether the handler has produced any op (a run with none is not sent to the orchestrator). */
  public boolean producedOps() {
    return stepsProduced > 0;
  }

  /**
   * The suspension this execution ended in, or null while it may continue. It is recorded before
   * it is thrown, so the integration decides from this record and not from what reached it:
   * containers and frameworks wrap or swallow throwables (docs/how-it-works.md).
   */
  public Suspension suspension() {
    return suspension;
  }

  /**
   * Whether {@code e} is a failure this execution replayed from the run's state (a step that had
   * finally failed in an earlier execution), as opposed to one a step of this execution produced
   * or the handler made up. A replayed failure recurs on every retry of the re-entry.
   */
  public boolean isReplayedFailure(StepFailedException e) {
    for (StepFailedException replayed : replayedFailures) {
      if (replayed == e) {
        return true;
      }
    }
    return false;
  }

  /** Whether any step was reached (memoized or new); options are frozen from then on. */
  public boolean stepsStarted() {
    return !visited.isEmpty();
  }

  /** Hashed IDs of the steps reached so far, in order. */
  public List<String> visitedSteps() {
    return List.copyOf(visited);
  }

  /** The hashed step ID a re-entry was asked to execute, or null. */
  public String targetStepId() {
    return targetStepId;
  }

  /** {@code Step.run}: replay a memoized result, or execute and record the function. */
  public <T> T run(String id, JavaType type, StepFunction<T> fn) {
    StepKey key = next(id);
    if (memoized(key)) {
      return decodeStepResult(key, memo.get(key.hash()), type);
    }
    checkTarget(key);
    return record(key, Attempt.of(wrapped(key, fn)));
  }

  /**
   * The function to call for a step that runs now: {@code fn} inside the integration's {@link
   * StepWrapper}, if one is attached (streaming tags and commits what a step pushes).
   */
  <T> StepFunction<T> wrapped(StepKey key, StepFunction<T> fn) {
    StepWrapper wrapper = attachment(StepWrapper.class);
    return wrapper == null ? fn : wrapper.wrap(key.hash(), fn);
  }

  /**
   * {@code Step.all}: the results of {@code members} in order, run in parallel (docs/how-it-works.md,
   * parallel steps); throws the first final failure, in argument order, once every member ended.
   */
  public List<Object> all(List<ParallelMember> members) {
    return new ParallelSteps(this, keys(members), members).all();
  }

  /** {@code Step.race}: the index and result of the member that finished first. */
  public Won race(List<ParallelMember> members) {
    return new ParallelSteps(this, keys(members), members).race();
  }

  /**
   * The winner of a race.
   *
   * @param index the winner's position among the members
   * @param value its result, or null
   */
  public record Won(int index, Object value) {}

  private List<StepKey> keys(List<ParallelMember> members) {
    List<StepKey> list = new ArrayList<>(members.size());
    for (ParallelMember m : members) {
      list.add(next(m.id()));
    }
    return list;
  }

  boolean memoized(StepKey key) {
    return memo.containsKey(key.hash());
  }

  /** The memoized result of {@code key}, or its replayed failure thrown. */
  <T> T replay(StepKey key, JavaType type) {
    return decodeStepResult(key, memo.get(key.hash()), type);
  }

  /**
   * Records what a step's function did: its result as {@code StepRun}, or its failure (§9.3).
   * Returns the result; throws {@link StepFailedException} for a final failure, and suspends where
   * the protocol says so.
   */
  @SuppressWarnings("unchecked")
  <T> T record(StepKey key, Attempt attempt) {
    if (attempt.error() != null) {
      return failed(key, attempt.error(), attempt.timing());
    }
    Object value = attempt.value();
    JsonNode data;
    try {
      data = value == null ? NullNode.getInstance() : MAPPER.valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("step '" + key.id() + "' returned a " + value.getClass().getName()
          + " that cannot be serialised as JSON", e);
    }
    produce(op(Opcode.STEP_RUN, key, null, data, null, attempt.timing()), false);
    return (T) value;
  }

  /** Whether a failure of a step's function is retried by the orchestrator rather than final. */
  boolean retriable(Exception e) {
    return !(e instanceof NonRetriableException) && (mode == Mode.REENTRY || options.retries() > 0);
  }

  /** docs/protocol.md §6.1: reports {@code keys} as {@code StepPlanned} in one answer and stops. */
  void plan(List<StepKey> keys) {
    List<GeneratorOpcode> ops = new ArrayList<>(keys.size());
    for (StepKey key : keys) {
      ops.add(op(Opcode.STEP_PLANNED, key, MAPPER.createObjectNode(), null, null, null));
    }
    stepsProduced += ops.size();
    throw suspend(Suspension.planned(ops));
  }

  StepThreads threads() {
    return threads;
  }

  boolean forcePlan() {
    return forcePlan;
  }

  Suspension targetMissing() {
    return suspend(Suspension.targetNotFound());
  }

  private <T> T failed(StepKey key, Exception e, Timing timing) {
    boolean retriable = retriable(e);
    OpError error = OpError.of(e.getClass().getSimpleName(), String.valueOf(e.getMessage()));
    if (retriable) {
      // docs/protocol.md §9.3: the orchestrator owns retry accounting; the handler stops here.
      produce(op(Opcode.STEP_ERROR, key, null, null, error, timing), true);
      throw new AssertionError("unreachable");
    }
    produce(op(Opcode.STEP_FAILED, key, null, null, error, timing), mode == Mode.REENTRY);
    throw new StepFailedException(key.id(), error.name(), error.message(), e);
  }

  /** {@code Step.sleep}/{@code Step.sleepUntil}: returns once the sleep is memoized. */
  public void sleep(String id, String durationOrInstant) {
    StepKey key = next(id);
    if (memo.containsKey(key.hash())) {
      return;
    }
    checkTarget(key);
    ObjectNode opts = MAPPER.createObjectNode().put("duration", durationOrInstant);
    produce(op(Opcode.SLEEP, key, opts, null, null, NO_TIMING), true);
  }

  /** Formats a sleep duration as the protocol expects. */
  public static String sleepFor(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("sleep duration must not be negative, was " + d);
    }
    if (d.compareTo(Duration.ofDays(366)) > 0) {
      throw new IllegalArgumentException("sleep duration must be at most 366 days, was " + d);
    }
    return Durations.format(d);
  }

  /** Formats a sleep deadline as the protocol expects (an RFC 3339 instant, §6.4). */
  public static String sleepUntil(Instant t) {
    return t.toString();
  }

  /** {@code Step.waitForEvent}: the matched event, empty on timeout. */
  public <T> Optional<T> waitForEvent(String id, WaitForEvent spec, JavaType type) {
    if (spec.timeout() == null) {
      throw new IllegalArgumentException("WaitForEvent needs a timeout: call .timeout(Duration) on " + spec);
    }
    StepKey key = next(id);
    if (memo.containsKey(key.hash())) {
      return waited(key, type, false);
    }
    checkTarget(key);
    ObjectNode opts = MAPPER.createObjectNode();
    opts.put("event", spec.event());
    opts.put("timeout", Durations.format(spec.timeout()));
    if (spec.expression() != null) {
      opts.put("if", spec.expression());
    }
    produce(op(Opcode.WAIT_FOR_EVENT, key, opts, null, null, NO_TIMING), true);
    throw new AssertionError("unreachable");
  }

  /**
   * {@code Step.waitForSignal}: the signal's data, empty on timeout. The op's {@code name} is the
   * signal, as the protocol has it (docs/protocol.md §6.4).
   */
  public <T> Optional<T> waitForSignal(String id, String signal, Duration timeout,
      String conflict, JavaType type) {
    StepKey key = next(id);
    if (memo.containsKey(key.hash())) {
      return waited(key, type, true);
    }
    checkTarget(key);
    ObjectNode opts = MAPPER.createObjectNode().put("signal", signal)
        .put("timeout", Durations.format(timeout)).put("conflict", conflict);
    produce(op(Opcode.WAIT_FOR_SIGNAL, key, signal, opts, null, null, NO_TIMING), true);
    throw new AssertionError("unreachable");
  }

  /**
   * A wait's recorded value: null after a timeout, else the event, or a signal's {@code data}
   * (stored as {@code {"signal", "data"}}, §10.3).
   */
  private <T> Optional<T> waited(StepKey key, JavaType type, boolean signal) {
    JsonNode stored = unwrapData(memo.get(key.hash()));
    if (stored == null || stored.isNull()) {
      return Optional.empty();
    }
    return Optional.ofNullable(convert(key, signal ? stored.get("data") : stored, type));
  }

  /** {@code Step.sendEvent}: a memoized step that publishes the events once. */
  public List<String> sendEvent(String id, List<Event> toSend) {
    JavaType listOfStrings = MAPPER.getTypeFactory().constructCollectionType(List.class, String.class);
    return run(id, listOfStrings, () -> events.send(toSend));
  }

  private void produce(GeneratorOpcode op, boolean suspend) {
    stepsProduced++;
    if (mode == Mode.SYNC) {
      if (!sink.emit(op)) {
        throw suspend(Suspension.unrecorded(op));
      }
      if (suspend) {
        throw suspend(Suspension.at(op));
      }
    } else {
      // docs/protocol.md §5.4: on re-entry every new op is reported and the handler stops.
      throw suspend(Suspension.at(op));
    }
  }

  private Suspension suspend(Suspension s) {
    suspension = s;
    return s;
  }

  void checkTarget(StepKey key) {
    // docs/protocol.md §5.3: a re-entry aimed at a step must execute that step and nothing else.
    if (mode == Mode.REENTRY && targetStepId != null && !targetStepId.equals(key.hash())) {
      throw suspend(Suspension.targetNotFound());
    }
  }

  private StepKey next(String id) {
    Objects.requireNonNull(id, "step id == null");
    ParallelSteps.rejectNested(id);
    if (suspension != null) {
      // A handler that caught the suspension and carried on: nothing more runs in this request.
      throw suspension;
    }
    if (id.isEmpty()) {
      throw new IllegalArgumentException("step id must not be empty");
    }
    int index = seen.getOrDefault(id, 0);
    String unhashed = StepIds.key(id, index);
    StepKey key = new StepKey(id, index, StepIds.hash(unhashed));
    StepKey earlier = keys.putIfAbsent(unhashed, key);
    if (earlier != null) {
      // docs/protocol.md §7.1: a repeat of "a" is keyed "a:1", as an explicit "a:1" is; two steps
      // with one key would share one memoized value, so the later one would never run.
      throw new IllegalArgumentException(
          "step id " + key.describe() + " collides with step " + earlier.describe() + "; give one of them another id");
    }
    seen.put(id, index + 1);
    visited.add(key.hash());
    return key;
  }

  private <T> T decodeStepResult(StepKey key, JsonNode stored, JavaType type) {
    // docs/protocol.md §4: {"data": D} | {"error": E} | anything else taken whole.
    if (stored != null && stored.isObject() && isOnly(stored, "error")) {
      JsonNode error = stored.get("error");
      String name = error.path("name").asText("Error");
      String message = error.path("message").asText("");
      StepFailedException failure = new StepFailedException(key.id(), name, message, null);
      replayedFailures.add(failure);
      throw failure;
    }
    return convert(key, unwrapData(stored), type);
  }

  private static JsonNode unwrapData(JsonNode stored) {
    if (stored != null && stored.isObject() && isOnly(stored, "data")) {
      return stored.get("data");
    }
    return stored;
  }

  private static boolean isOnly(JsonNode node, String field) {
    if (!node.has(field)) {
      return false;
    }
    int size = node.size();
    JsonNode type = node.get("type");
    return size == 1 || (size == 2 && type != null && field.equals(type.asText()));
  }

  private <T> T convert(StepKey key, JsonNode value, JavaType type) {
    if (value == null || value.isNull() || type.getRawClass() == Void.class) {
      return null;
    }
    try {
      return MAPPER.treeToValue(value, type);
    } catch (Exception e) {
      throw new IllegalStateException(
          "memoized value of step '" + key.id() + "' does not fit " + type + " (run " + runId + ")", e);
    }
  }

  private static GeneratorOpcode op(
      Opcode opcode, StepKey key, JsonNode opts, JsonNode data, OpError error, Timing timing) {
    return op(opcode, key, key.id(), opts, data, error, timing);
  }

  private static GeneratorOpcode op(Opcode opcode, StepKey key, String name, JsonNode opts,
      JsonNode data, OpError error, Timing timing) {
    return new GeneratorOpcode(
        opcode, key.hash(), name, opts, data, error, key.id(), timing,
        new Userland(key.id(), key.index() == 0 ? null : key.index()));
  }
}
