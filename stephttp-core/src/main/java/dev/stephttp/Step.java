package dev.stephttp;

import com.fasterxml.jackson.databind.JavaType;
import dev.stephttp.internal.Execution;
import dev.stephttp.internal.PassThrough;
import dev.stephttp.internal.wire.Json;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * <p>Thread-safety: steps of one run must be called sequentially, normally from the request's
 * thread (see {@link RunContext#propagate(Runnable)} for other threads).
 */
public final class Step {
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
