package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import dev.stephttp.Event;
import dev.stephttp.NonRetriableException;
import dev.stephttp.SignalConflict;
import dev.stephttp.Step;
import dev.stephttp.StepFailedException;
import dev.stephttp.TypeReference;
import dev.stephttp.WaitForEvent;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Replay as a table: given memoized state and a handler, the expected outcome. */
class ExecutionTest {
  static final StepThreads THREADS = new StepThreads(4);
  static final AtomicInteger sideEffects = new AtomicInteger();

  @AfterEach
  void noContextLeftBehind() {
    assertThat(Execution.current()).isNull();
  }

  /** The handler under test: a step, a sleep, a wait, a step. */
  static String handler() {
    String a = Step.run("a", String.class, () -> "a" + sideEffects.incrementAndGet());
    Step.sleep("nap", Duration.ofSeconds(90));
    Optional<Event> approval = Step.waitForEvent("approval",
        WaitForEvent.named("order/approved").where("data.id", 7).timeout(Duration.ofHours(2)), Event.class);
    String b = Step.run("b", String.class, () -> "b" + sideEffects.incrementAndGet());
    return a + "|" + approval.map(e -> e.data().get("by").toString()).orElse("none") + "|" + b;
  }

  record Outcome(String completedWith, Opcode reported, int sideEffects) {}

  static Outcome reenter(Map<String, JsonNode> memo) {
    sideEffects.set(0);
    Execution execution = Execution.reentry("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", memo, null, false, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      return new Outcome(handler(), null, sideEffects.get());
    } catch (Suspension suspension) {
      return new Outcome(null, suspension.op().op(), sideEffects.get());
    }
  }

  @Test
  void suspensionIsRecordedAndAHandlerThatSwallowsItRunsNoFurtherStep() {
    List<GeneratorOpcode> emitted = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", emitted::add, events -> List.of(), THREADS);
    AtomicInteger after = new AtomicInteger();
    Throwable second = null;
    try (Execution.Scope s = execution.enter()) {
      assertThat(execution.suspension()).isNull();
      try {
        Step.sleep("nap", Duration.ofSeconds(5));
      } catch (Throwable swallowed) {
        assertThat(swallowed).isSameAs(execution.suspension());
      }
      try {
        Step.run("after", Integer.class, after::incrementAndGet);
      } catch (Suspension again) {
        second = again;
      }
    }
    assertThat(execution.suspension()).isNotNull();
    assertThat(execution.suspension().op().op()).isEqualTo(Opcode.SLEEP);
    assertThat(second).isSameAs(execution.suspension());
    assertThat(after).hasValue(0);
    assertThat(emitted).extracting(GeneratorOpcode::op).containsExactly(Opcode.SLEEP);
  }

  static JsonNode json(String s) {
    return Json.parse(s.getBytes());
  }

  static Stream<Arguments> replayTable() {
    String a = StepIds.hash("a");
    String nap = StepIds.hash("nap");
    String approval = StepIds.hash("approval");
    String b = StepIds.hash("b");
    return Stream.of(
        Arguments.of("nothing memoized: step a executes and is reported",
            Map.of(), new Outcome(null, Opcode.STEP_RUN, 1)),
        Arguments.of("a memoized: the sleep is reported, a does not run",
            Map.of(a, json("{\"data\":\"a-old\"}")), new Outcome(null, Opcode.SLEEP, 0)),
        Arguments.of("slept: the wait is reported",
            Map.of(a, json("{\"data\":\"x\"}"), nap, NullNode.getInstance()), new Outcome(null, Opcode.WAIT_FOR_EVENT, 0)),
        Arguments.of("event arrived: b executes",
            Map.of(a, json("{\"data\":\"x\"}"), nap, NullNode.getInstance(),
                approval, json("{\"name\":\"order/approved\",\"data\":{\"by\":\"ann\"},\"id\":\"e1\",\"ts\":1}")),
            new Outcome(null, Opcode.STEP_RUN, 1)),
        Arguments.of("all memoized: completes with memoized values and no side effect",
            Map.of(a, json("{\"data\":\"x\"}"), nap, NullNode.getInstance(),
                approval, json("{\"name\":\"order/approved\",\"data\":{\"by\":\"ann\"},\"id\":\"e1\",\"ts\":1}"),
                b, json("{\"data\":\"y\",\"type\":\"data\"}")),
            new Outcome("x|ann|y", null, 0)),
        Arguments.of("wait timed out: completes with an empty wait",
            Map.of(a, json("{\"data\":\"x\"}"), nap, NullNode.getInstance(), approval, NullNode.getInstance(),
                b, json("\"raw-y\"")),
            new Outcome("x|none|raw-y", null, 0)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("replayTable")
  void replaysMemoizedState(String name, Map<String, JsonNode> memo, Outcome expected) {
    assertThat(reenter(memo)).isEqualTo(expected);
  }

  @Test
  void syncPhaseExecutesInlineAndEmitsOpsInOrder() {
    List<GeneratorOpcode> ops = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      String first = Step.run("a", String.class, () -> "one");
      List<Integer> list = Step.run("a", new TypeReference<List<Integer>>() {}, () -> List.of(1, 2));
      assertThat(first).isEqualTo("one");
      assertThat(list).containsExactly(1, 2);
      assertThatThrownBy(() -> Step.sleepUntil("later", Instant.parse("2030-01-01T00:00:00Z")))
          .isInstanceOf(Suspension.class);
    }
    assertThat(ops).extracting(GeneratorOpcode::op).containsExactly(Opcode.STEP_RUN, Opcode.STEP_RUN, Opcode.SLEEP);
    assertThat(ops.get(0).id()).isEqualTo(StepIds.hash("a"));
    assertThat(ops.get(1).id()).isEqualTo(StepIds.hash("a:1"));
    assertThat(ops.get(1).userland().index()).isEqualTo(1);
    assertThat(ops.get(1).data().toString()).isEqualTo("[1,2]");
    assertThat(ops.get(2).opts().path("duration").asText()).isEqualTo("2030-01-01T00:00:00Z");
  }

  @Test
  void explicitIdEqualToARepeatsKeyIsRejectedWhenTheRepeatComesSecond() {
    List<GeneratorOpcode> ops = new ArrayList<>();
    AtomicInteger ran = new AtomicInteger();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThat(Step.run("a:1", Integer.class, () -> 111)).isEqualTo(111);
      assertThat(Step.run("a", Integer.class, () -> 222)).isEqualTo(222);
      assertThatThrownBy(() -> Step.run("a", Integer.class, () -> ran.addAndGet(333)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("step id 'a' (its 2nd use, keyed 'a:1') collides with step 'a:1';"
              + " give one of them another id");
    }
    assertThat(ran).hasValue(0);
    assertThat(ops).extracting(GeneratorOpcode::id).containsExactly(StepIds.hash("a:1"), StepIds.hash("a"));
  }

  @Test
  void explicitIdEqualToARepeatsKeyIsRejectedWhenTheExplicitIdComesSecond() {
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", op -> true, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      Step.run("a", Integer.class, () -> 1);
      Step.run("a", Integer.class, () -> 2);
      assertThatThrownBy(() -> Step.run("a:1", Integer.class, () -> 3))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("step id 'a:1' collides with step 'a' (its 2nd use, keyed 'a:1');"
              + " give one of them another id");
    }
  }

  @Test
  void collidingIdOnReplayIsRejectedInsteadOfReturningTheOtherStepsValue() {
    Map<String, JsonNode> memo = new HashMap<>();
    memo.put(StepIds.hash("a:1"), json("{\"data\":111}"));
    memo.put(StepIds.hash("a"), json("{\"data\":222}"));
    Execution execution = Execution.reentry("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", memo, null, false, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThat(Step.run("a:1", Integer.class, () -> -1)).isEqualTo(111);
      assertThat(Step.run("a", Integer.class, () -> -1)).isEqualTo(222);
      assertThatThrownBy(() -> Step.run("a", Integer.class, () -> 333))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("'a' (its 2nd use, keyed 'a:1')")
          .hasMessageContaining("step 'a:1'");
    }
    assertThat(execution.suspension()).isNull();
  }

  @Test
  void repeatsAreNumberedWithOrdinalsInTheCollisionMessage() {
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", op -> true, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      Step.run("b:11", Integer.class, () -> 0);
      for (int i = 0; i < 11; i++) {
        Step.run("b", Integer.class, () -> 0);
      }
      assertThatThrownBy(() -> Step.run("b", Integer.class, () -> 0))
          .hasMessageStartingWith("step id 'b' (its 12th use, keyed 'b:11')");
    }
  }

  @Test
  void retriableFailureInSyncPhaseSuspendsWithStepError() {
    List<GeneratorOpcode> ops = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.run("charge", () -> {
        throw new java.io.IOException("timeout");
      })).isInstanceOf(Suspension.class);
    }
    assertThat(ops).singleElement().satisfies(op -> {
      assertThat(op.op()).isEqualTo(Opcode.STEP_ERROR);
      assertThat(op.error().name()).isEqualTo("IOException");
      assertThat(op.error().message()).isEqualTo("timeout");
    });
  }

  @Test
  void finalFailureInSyncPhaseThrowsStepFailedAndContinues() {
    List<GeneratorOpcode> ops = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.run("charge", () -> {
        throw new NonRetriableException("stolen card");
      })).isInstanceOfSatisfying(StepFailedException.class, e -> {
        assertThat(e.stepId()).isEqualTo("charge");
        assertThat(e.errorMessage()).isEqualTo("stolen card");
        assertThat(e.getCause()).isInstanceOf(NonRetriableException.class);
      });
      execution.options().retries(0);
      assertThatThrownBy(() -> Step.run("again", () -> {
        throw new IllegalStateException("no");
      })).isInstanceOf(StepFailedException.class);
    }
    assertThat(ops).extracting(GeneratorOpcode::op).containsExactly(Opcode.STEP_FAILED, Opcode.STEP_FAILED);
  }

  @Test
  void storedErrorIsThrownAsStepFailed() {
    Map<String, JsonNode> memo = new HashMap<>();
    memo.put(StepIds.hash("a"), json("{\"error\":{\"name\":\"Step failed\",\"message\":\"boom\",\"data\":null}}"));
    Execution execution = Execution.reentry("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", memo, null, false, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.run("a", String.class, () -> "never"))
          .isInstanceOfSatisfying(StepFailedException.class, e -> {
            assertThat(e.errorName()).isEqualTo("Step failed");
            assertThat(e.errorMessage()).isEqualTo("boom");
            assertThat(execution.isReplayedFailure(e)).isTrue();
          });
    }
    assertThat(execution.isReplayedFailure(new StepFailedException("a", "Step failed", "boom", null))).isFalse();
  }

  @Test
  void waitForEventOpCarriesEventTimeoutAndCondition() {
    List<GeneratorOpcode> ops = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.waitForEvent("w",
          WaitForEvent.named("a/b").where("data.n", 42).where("data.s", "x").timeout(Duration.ofMinutes(90)),
          Event.class)).isInstanceOf(Suspension.class);
    }
    GeneratorOpcode op = ops.get(0);
    assertThat(op.op()).isEqualTo(Opcode.WAIT_FOR_EVENT);
    assertThat(op.opts().path("event").asText()).isEqualTo("a/b");
    assertThat(op.opts().path("timeout").asText()).isEqualTo("1h30m");
    assertThat(op.opts().path("if").asText()).isEqualTo("async.data.n == 42 && async.data.s == \"x\"");
  }

  @Test
  void waitForSignalOpNamesTheSignalAndItsConflictModeAndReturnsTheSignalsData() {
    List<GeneratorOpcode> ops = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.waitForSignal("w", "order-7", Duration.ofMinutes(2),
          SignalConflict.REPLACE, Map.class)).isInstanceOf(Suspension.class);
    }
    GeneratorOpcode op = ops.get(0);
    assertThat(op.op()).isEqualTo(Opcode.WAIT_FOR_SIGNAL);
    assertThat(op.name()).isEqualTo("order-7");
    assertThat(op.displayName()).isEqualTo("w");
    assertThat(op.opts().path("signal").asText()).isEqualTo("order-7");
    assertThat(op.opts().path("timeout").asText()).isEqualTo("2m");
    assertThat(op.opts().path("conflict").asText()).isEqualTo("replace");

    String key = StepIds.hash("w");
    JsonNode resumed = Json.parse("{\"data\":{\"signal\":\"order-7\",\"data\":{\"by\":\"ann\"}}}"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    for (Map.Entry<JsonNode, Optional<?>> c : Map.<JsonNode, Optional<?>>of(resumed,
        Optional.of(Map.of("by", "ann")), NullNode.getInstance(), Optional.empty()).entrySet()) {
      Execution again = Execution.reentry("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", Map.of(key, c.getKey()), null, false,
          events -> List.of(), THREADS);
      try (Execution.Scope s = again.enter()) {
        assertThat((Optional<?>) Step.waitForSignal("w", "order-7", Duration.ofMinutes(2), Map.class))
            .isEqualTo(c.getValue());
      }
    }
  }

  @Test
  void waitForSignalRejectsABlankOrOverlongSignalAndABadTimeout() {
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", op -> true, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.waitForSignal("w", " ", Duration.ofMinutes(1), Map.class))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("blank");
      assertThatThrownBy(() -> Step.waitForSignal("w", "x".repeat(513), Duration.ofMinutes(1), Map.class))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("512");
      assertThatThrownBy(() -> Step.waitForSignal("w", "s", Duration.ZERO, Map.class))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("positive");
      assertThatThrownBy(() -> Step.waitForSignal("w", "s", Duration.ofDays(367), Map.class))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("366 days");
    }
  }

  @Test
  void waitWithoutTimeoutIsRejected() {
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", op -> true, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.waitForEvent("w", WaitForEvent.named("a/b"), Event.class))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("timeout");
    }
  }

  @Test
  void suspensionIsNotAnException() {
    assertThat(Exception.class.isAssignableFrom(Suspension.class)).isFalse();
    List<GeneratorOpcode> ops = new ArrayList<>();
    Execution execution = Execution.sync("01J9Z3K6W8T6M0V2Q4R5S7X8Y9", ops::add, events -> List.of(), THREADS);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> {
        try {
          Step.sleep("s", Duration.ofSeconds(1));
        } catch (Exception swallowedByUserCode) {
          // a user's catch-all must not stop the switch
        }
      }).isInstanceOf(Suspension.class);
    }
  }
}
