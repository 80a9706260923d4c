package dev.stephttp;

import com.fasterxml.jackson.databind.JavaType;
import dev.stephttp.internal.Execution;
import dev.stephttp.internal.ParallelMember;
import dev.stephttp.internal.PassThrough;
import dev.stephttp.internal.wire.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Durable steps for code running inside a request handler.
 *
 * <p>Inside a run (a request that passed through the stephttp filter) each step's result is
 * recorded; when the orchestrator re-enters the handler later, completed steps return their
 * recorded results without running again. Step IDs must be unique per call site and the handler
 * must call its steps in the same order on every execution; repeating an ID numbers the calls
 * ({@code a}, {@code a:1}, ...). An explicit ID that equals such a numbered key (an ID {@code a:1}
 * next to a repeated {@code a}) would share its recorded result, so the step call that comes
 * second, in either order, throws {@link IllegalArgumentException} naming both.
 *
 * <p>Outside a run (no filter, unit tests), {@code run} simply calls the function, and the
 * asynchronous steps throw {@link IllegalStateException}. HEAD, OPTIONS and TRACE requests are
 * never durable (a HEAD caller could not receive the async answer): the filter lets them through
 * without a run, so there too {@code run} just calls the function, and an asynchronous step throws
 * {@link IllegalStateException}, which the filter answers with {@code 405 Method Not Allowed}.
 *
 * <p>To run steps at once, describe each with {@link #lazy} and pass them to {@link #all} (every
 * result) or {@link #race} (the first to finish). See those methods for how they are recorded.
 *
 * <p>Thread-safety: steps of one run must be called sequentially, normally from the request's
 * thread (see {@link RunContext#propagate(Runnable)} for other threads); {@link #all} and {@link
 * #race} are the way to run them concurrently.
 */
public final class Step {
  /** Longest signal name the orchestrator accepts in a signal request. */
  private static final int MAX_SIGNAL = 512;

  private Step() {}

  /**
   * Runs {@code fn} once per run and returns its result, which is recorded as JSON.
   *
   * @throws StepFailedException when the step has finally failed
   * @throws IllegalArgumentException when {@code id} is empty, or collides with another step's
   *     numbered ID in this run (see above)
   */
  public static <T> T run(String id, Class<T> type, StepFunction<T> fn) {
    Objects.requireNonNull(type, "type == null");
    return run(id, Json.mapper().constructType(type), fn);
  }

  /** Like {@link #run(String, Class, StepFunction)}, for generic result types. */
  public static <T> T run(String id, TypeReference<T> type, StepFunction<T> fn) {
    Objects.requireNonNull(type, "type == null");
    return run(id, Json.mapper().constructType(type.type()), fn);
  }

  /** Runs {@code fn} once per run; for steps without a result. */
  public static void run(String id, StepRunnable fn) {
    Objects.requireNonNull(fn, "fn == null");
    run(id, Void.class, () -> {
      fn.run();
      return null;
    });
  }

  private static <T> T run(String id, JavaType type, StepFunction<T> fn) {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(fn, "fn == null");
    Execution execution = Execution.current();
    if (execution == null) {
      try {
        return fn.call();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new StepFailedException(id, e.getClass().getSimpleName(), String.valueOf(e.getMessage()), e);
      }
    }
    return execution.run(id, type, fn);
  }

  /**
   * Describes a step without running it, for {@link #all} or {@link #race}.
   *
   * @throws IllegalArgumentException when {@code id} is empty
   */
  public static <T> LazyStep<T> lazy(String id, Class<T> type, StepFunction<T> fn) {
    Objects.requireNonNull(type, "type == null");
    return new LazyStep<>(id, Json.mapper().constructType(type), fn);
  }

  /** Like {@link #lazy(String, Class, StepFunction)}, for generic result types. */
  public static <T> LazyStep<T> lazy(String id, TypeReference<T> type, StepFunction<T> fn) {
    Objects.requireNonNull(type, "type == null");
    return new LazyStep<>(id, Json.mapper().constructType(type.type()), fn);
  }

  /**
   * Runs {@code steps} at once and returns every result once all have ended.
   *
   * <p>In the user's request the steps run concurrently on a bounded pool the library owns ({@code
   * parallelStepThreads}), each with this run as its {@link RunContext}; a step cannot call other
   * steps (that throws {@link IllegalStateException}). Each step is recorded as it finishes. When
   * one fails and has retries left, the others still run to their end and are recorded, then the
   * request turns asynchronous and only the failed step runs again. In a re-entry by the
   * orchestrator the steps are planned and the orchestrator runs each in a re-entry of its own
   * (docs/protocol.md). Outside a run they run one after another on the calling thread.
   *
   * @throws StepFailedException when a step has finally failed (the first such step, in argument
   *     order, once every step has ended)
   * @throws IllegalArgumentException when {@code steps} is empty or two of them have one ID
   */
  public static StepResults all(LazyStep<?>... steps) {
    Objects.requireNonNull(steps, "steps == null");
    return all(List.of(steps));
  }

  /** Like {@link #all(LazyStep...)}, for a list of steps built at run time. */
  public static StepResults all(List<? extends LazyStep<?>> steps) {
    List<LazyStep<?>> list = checked("Step.all", steps);
    Execution execution = Execution.current();
    List<Object> values;
    if (execution == null) {
      values = new ArrayList<>();
      for (LazyStep<?> step : list) {
        values.add(runDirectly(step.member()));
      }
    } else {
      values = execution.all(members(list));
    }
    return new StepResults(list, Collections.unmodifiableList(values));
  }

  /**
   * Runs {@code steps} at once and returns the first to finish, successfully or not.
   *
   * <p>Only the winner is recorded: the losers are interrupted (or, not started yet, never start)
   * and not waited for, their results are dropped, and a loser that ignores the interrupt runs on
   * to its end unrecorded. A winner
   * that failed is handled like a failing {@link #run} (retried, or thrown as {@link
   * StepFailedException}); a retry races all steps again. A race runs its steps at once in
   * re-entries too. Outside a run only the first step runs, and wins.
   *
   * @throws StepFailedException when the winner has finally failed
   * @throws IllegalArgumentException when {@code steps} is empty or two of them have one ID
   */
  public static RaceResult race(LazyStep<?>... steps) {
    Objects.requireNonNull(steps, "steps == null");
    List<LazyStep<?>> list = checked("Step.race", List.of(steps));
    Execution execution = Execution.current();
    if (execution == null) {
      return new RaceResult(list, list.get(0), runDirectly(list.get(0).member()));
    }
    Execution.Won won = execution.race(members(list));
    return new RaceResult(list, list.get(won.index()), won.value());
  }

  private static List<LazyStep<?>> checked(String call, List<? extends LazyStep<?>> steps) {
    Objects.requireNonNull(steps, "steps == null");
    if (steps.isEmpty()) {
      throw new IllegalArgumentException(call + " needs at least one step");
    }
    List<LazyStep<?>> list = List.copyOf(steps); // rejects null elements
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < list.size(); i++) {
      Integer earlier = seen.putIfAbsent(list.get(i).id(), i);
      if (earlier != null) {
        throw new IllegalArgumentException(call + " got step id '" + list.get(i).id() + "' twice, as its steps "
            + (earlier + 1) + " and " + (i + 1) + "; give one of them another id");
      }
    }
    return list;
  }

  private static List<ParallelMember> members(List<LazyStep<?>> steps) {
    return steps.stream().map(LazyStep::member).toList();
  }

  private static Object runDirectly(ParallelMember m) {
    @SuppressWarnings("unchecked")
    StepFunction<Object> fn = (StepFunction<Object>) m.fn();
    return run(m.id(), m.type(), fn);
  }

  /**
   * Pauses the run for {@code duration}. The first time a request reaches it, the request turns
   * asynchronous; the orchestrator re-enters the handler after the duration.
   */
  public static void sleep(String id, Duration duration) {
    Objects.requireNonNull(duration, "duration == null");
    String formatted = Execution.sleepFor(duration);
    required("Step.sleep").sleep(id, formatted);
  }

  /** Pauses the run until {@code time}; see {@link #sleep(String, Duration)}. */
  public static void sleepUntil(String id, Instant time) {
    Objects.requireNonNull(time, "time == null");
    required("Step.sleepUntil").sleep(id, Execution.sleepUntil(time));
  }

  /**
   * Waits for an event described by {@code spec} and returns it converted to {@code type}, or an
   * empty result when the timeout passes first.
   */
  public static <T> Optional<T> waitForEvent(String id, WaitForEvent spec, Class<T> type) {
    Objects.requireNonNull(spec, "spec == null");
    Objects.requireNonNull(type, "type == null");
    return required("Step.waitForEvent").waitForEvent(id, spec, Json.mapper().constructType(type));
  }

  /**
   * Waits for the signal named {@code signal} and returns its data converted to {@code type}, or
   * an empty result when the timeout passes first (or the signal carried no data). Signals are
   * sent to the orchestrator ({@code POST /v1/signals} with {@code {"signal", "data"}}); one
   * signal resumes one waiting run. When another run already waits for the same signal, this
   * run fails ({@link SignalConflict#FAIL}); see {@link #waitForSignal(String, String, Duration,
   * SignalConflict, Class)} to take the signal over instead.
   *
   * @throws IllegalArgumentException when {@code signal} is blank or longer than 512 characters,
   *     or {@code timeout} is not positive or longer than 366 days
   */
  public static <T> Optional<T> waitForSignal(String id, String signal, Duration timeout,
      Class<T> type) {
    return waitForSignal(id, signal, timeout, SignalConflict.FAIL, type);
  }

  /**
   * Like {@link #waitForSignal(String, String, Duration, Class)}, with {@code conflict} deciding
   * what happens when another run already waits for the same signal.
   */
  public static <T> Optional<T> waitForSignal(String id, String signal, Duration timeout,
      SignalConflict conflict, Class<T> type) {
    Objects.requireNonNull(signal, "signal == null");
    Objects.requireNonNull(conflict, "conflict == null");
    Objects.requireNonNull(type, "type == null");
    if (signal.isBlank()) {
      throw new IllegalArgumentException("signal must not be blank");
    }
    if (signal.length() > MAX_SIGNAL) {
      throw new IllegalArgumentException("signal must have at most " + MAX_SIGNAL
          + " characters, had " + signal.length());
    }
    WaitForEvent.checkTimeout(timeout);
    return required("Step.waitForSignal").waitForSignal(id, signal, timeout, conflict.wireName(),
        Json.mapper().constructType(type));
  }

  /** Sends events once per run, as a step, and returns their IDs. */
  public static List<String> sendEvent(String id, Event... events) {
    Objects.requireNonNull(events, "events == null");
    if (events.length == 0) {
      throw new IllegalArgumentException("sendEvent needs at least one event");
    }
    for (Event e : events) {
      Objects.requireNonNull(e, "events contains null");
    }
    return required("Step.sendEvent").sendEvent(id, List.of(events));
  }

  private static Execution required(String what) {
    Execution execution = Execution.current();
    String passedThrough = PassThrough.current();
    if (execution == null && passedThrough != null) {
      throw new PassThrough.Refused(what, passedThrough);
    }
    if (execution == null) {
      throw new IllegalStateException(
          what + " needs a run context: call it inside a request handled by the stephttp filter"
              + " (StepHttpFilter or StepHttpServlet), or on a thread set up with RunContext.propagate");
    }
    return execution;
  }
}
