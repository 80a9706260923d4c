package dev.stephttp.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.LazyStep;
import dev.stephttp.NonRetriableException;
import dev.stephttp.RaceResult;
import dev.stephttp.RunContext;
import dev.stephttp.Step;
import dev.stephttp.StepFailedException;
import dev.stephttp.StepResults;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Opcode;
import dev.stephttp.internal.wire.StepIds;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code Step.all} and {@code Step.race}: what each phase runs, records and reports. */
@Timeout(30)
class ParallelStepsTest {
  static final String RUN = "01J9Z3K6W8T6M0V2Q4R5S7X8Y9";
  static final StepThreads THREADS = new StepThreads(4);

  final List<GeneratorOpcode> emitted = new CopyOnWriteArrayList<>();
  final AtomicInteger calls = new AtomicInteger();

  @AfterEach
  void noContextLeftBehind() {
    assertThat(Execution.current()).isNull();
  }

  Execution sync(int retries) {
    Execution e = Execution.sync(RUN, emitted::add, events -> List.of(), THREADS);
    e.options().retries(retries);
    return e;
  }

  static Execution reentry(Map<String, JsonNode> memo, String target, boolean forcePlan) {
    return Execution.reentry(RUN, memo, target, forcePlan, events -> List.of(), THREADS);
  }

  LazyStep<String> counted(String id) {
    return Step.lazy(id, String.class, () -> {
      calls.incrementAndGet();
      return id.toUpperCase(java.util.Locale.ROOT);
    });
  }

  static JsonNode data(Object v) {
    return Json.mapper().createObjectNode().set("data", Json.mapper().valueToTree(v));
  }

  List<Opcode> emittedOps() {
    return emitted.stream().map(GeneratorOpcode::op).toList();
  }

  @Test
  void syncPhaseRunsTheStepsAtOnceAndRecordsEach() {
    CountDownLatch both = new CountDownLatch(2);
    StepResults r;
    LazyStep<String> a = Step.lazy("a", String.class, () -> meet(both, "a"));
    LazyStep<String> b = Step.lazy("b", String.class, () -> meet(both, "b"));
    Execution execution = sync(0);
    try (Execution.Scope s = execution.enter()) {
      r = Step.all(a, b);
    }
    assertThat(r.get(a)).isEqualTo("a:" + RUN);
    assertThat(r.get(b)).isEqualTo("b:" + RUN);
    assertThat(emittedOps()).containsExactly(Opcode.STEP_RUN, Opcode.STEP_RUN);
    assertThat(emitted).extracting(GeneratorOpcode::id).containsExactlyInAnyOrder(StepIds.hash("a"), StepIds.hash("b"));
    assertThat(execution.suspension()).isNull();
  }

  /** Passes only when the sibling runs at the same time; sees the run as its context. */
  static String meet(CountDownLatch both, String id) throws InterruptedException {
    both.countDown();
    if (!both.await(10, TimeUnit.SECONDS)) {
      throw new NonRetriableException("step " + id + " never ran beside its sibling");
    }
    return id + ":" + RunContext.current().orElseThrow().runId();
  }

  @Test
  void aRetriableFailureSuspendsAfterItsSiblingIsRecorded() {
    Execution execution = sync(2);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.all(counted("ok"), Step.lazy("bad", String.class, () -> {
        throw new IllegalStateException("no");
      }))).isInstanceOf(Suspension.class);
    }
    assertThat(emittedOps()).containsExactly(Opcode.STEP_RUN, Opcode.STEP_ERROR);
    assertThat(execution.suspension().op().op()).isEqualTo(Opcode.STEP_ERROR);
    assertThat(execution.suspension().op().id()).isEqualTo(StepIds.hash("bad"));
  }

  @Test
  void finalFailuresAreRecordedAndTheFirstInArgumentOrderIsThrown() {
    Execution execution = sync(0);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.all(Step.lazy("x", String.class, () -> {
        throw new IllegalStateException("x failed");
      }), counted("ok"), Step.lazy("y", String.class, () -> {
        throw new IllegalStateException("y failed");
      }))).isInstanceOf(StepFailedException.class).hasMessageContaining("'x'");
    }
    assertThat(emittedOps()).containsExactlyInAnyOrder(Opcode.STEP_FAILED, Opcode.STEP_RUN, Opcode.STEP_FAILED);
    assertThat(execution.suspension()).isNull();
  }

  @Test
  void discoveryPlansEveryPendingStepInOneAnswer() {
    Execution execution = reentry(Map.of(StepIds.hash("a"), data("A")), null, false);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.all(counted("a"), counted("b"), counted("c"))).isInstanceOf(Suspension.class);
    }
    assertThat(execution.suspension().ops()).extracting(GeneratorOpcode::op)
        .containsExactly(Opcode.STEP_PLANNED, Opcode.STEP_PLANNED);
    assertThat(execution.suspension().ops()).extracting(GeneratorOpcode::id)
        .containsExactly(StepIds.hash("b"), StepIds.hash("c"));
    assertThat(calls).hasValue(0);
  }

  @Test
  void theLastPendingStepRunsAtOnceUnlessPlanningIsForced() {
    Map<String, JsonNode> memo = Map.of(StepIds.hash("a"), data("A"));
    Execution free = reentry(memo, null, false);
    try (Execution.Scope s = free.enter()) {
      assertThatThrownBy(() -> Step.all(counted("a"), counted("b"))).isInstanceOf(Suspension.class);
    }
    assertThat(free.suspension().ops()).extracting(GeneratorOpcode::op).containsExactly(Opcode.STEP_RUN);
    assertThat(calls).hasValue(1);

    Execution forced = reentry(memo, null, true);
    try (Execution.Scope s = forced.enter()) {
      assertThatThrownBy(() -> Step.all(counted("a"), counted("b"))).isInstanceOf(Suspension.class);
    }
    assertThat(forced.suspension().ops()).extracting(GeneratorOpcode::op).containsExactly(Opcode.STEP_PLANNED);
    assertThat(calls).hasValue(1);
  }

  @Test
  void aTargetedReentryRunsOnlyItsStep() {
    Execution execution = reentry(Map.of(), StepIds.hash("b"), true);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.all(counted("a"), counted("b"))).isInstanceOf(Suspension.class);
    }
    assertThat(execution.suspension().ops()).singleElement().satisfies(op -> {
      assertThat(op.op()).isEqualTo(Opcode.STEP_RUN);
      assertThat(op.id()).isEqualTo(StepIds.hash("b"));
      assertThat(op.data().asText()).isEqualTo("B");
    });
    assertThat(calls).hasValue(1);

    Execution elsewhere = reentry(Map.of(), StepIds.hash("z"), true);
    try (Execution.Scope s = elsewhere.enter()) {
      assertThatThrownBy(() -> Step.all(counted("a"), counted("b"))).isInstanceOf(Suspension.class);
    }
    assertThat(elsewhere.suspension().reason()).isEqualTo(Suspension.Reason.TARGET_NOT_FOUND);
  }

  @Test
  void recordedStepsReplayWithoutRunningAndAReplayedFailureIsThrown() {
    LazyStep<String> a = counted("a");
    LazyStep<String> b = counted("b");
    Execution execution = reentry(Map.of(StepIds.hash("a"), data("A"), StepIds.hash("b"), data("B")), null, false);
    try (Execution.Scope s = execution.enter()) {
      StepResults r = Step.all(a, b);
      assertThat(r.get(a) + r.get(b)).isEqualTo("AB");
    }
    JsonNode failed = Json.mapper().createObjectNode().set("error",
        Json.mapper().createObjectNode().put("name", "Boom").put("message", "b broke"));
    Execution replay = reentry(Map.of(StepIds.hash("a"), data("A"), StepIds.hash("b"), failed), null, false);
    try (Execution.Scope s = replay.enter()) {
      assertThatThrownBy(() -> Step.all(counted("a"), counted("b"))).isInstanceOf(StepFailedException.class)
          .satisfies(e -> assertThat(replay.isReplayedFailure((StepFailedException) e)).isTrue());
    }
    assertThat(calls).hasValue(0);
  }

  @Test
  void aRaceRecordsOnlyTheWinnerAndInterruptsTheLoser() throws InterruptedException {
    CountDownLatch interrupted = new CountDownLatch(1);
    CountDownLatch slowStarted = new CountDownLatch(1);
    LazyStep<String> slow = Step.lazy("slow", String.class, () -> {
      slowStarted.countDown();
      try {
        new CountDownLatch(1).await(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        interrupted.countDown();
        throw e;
      }
      return "slow";
    });
    LazyStep<String> fast = Step.lazy("fast", String.class, () -> {
      slowStarted.await(10, TimeUnit.SECONDS); // so that the loser is running when the race ends
      return "FAST";
    });
    RaceResult r;
    Execution execution = sync(0);
    try (Execution.Scope s = execution.enter()) {
      r = Step.race(slow, fast);
    }
    assertThat(r.winner()).isSameAs(fast);
    assertThat(r.won(slow)).isFalse();
    assertThat(r.get(fast)).isEqualTo("FAST");
    assertThatThrownBy(() -> r.get(slow)).isInstanceOf(IllegalStateException.class).hasMessageContaining("lost");
    assertThat(interrupted.await(10, TimeUnit.SECONDS)).isTrue();
    assertThat(emitted).singleElement().extracting(GeneratorOpcode::id).isEqualTo(StepIds.hash("fast"));

    Execution replay = reentry(Map.of(StepIds.hash("slow"), data("SLOW")), null, false);
    try (Execution.Scope s = replay.enter()) {
      RaceResult again = Step.race(slow, fast);
      assertThat(again.get(slow)).isEqualTo("SLOW"); // the recorded step won
    }
  }

  @Test
  void aStepInsideAParallelStepIsRejected() {
    Execution execution = sync(3);
    try (Execution.Scope s = execution.enter()) {
      assertThatThrownBy(() -> Step.all(Step.lazy("outer", String.class, () -> Step.run("inner", String.class, () -> "x"))))
          .isInstanceOf(IllegalStateException.class).hasMessageContaining("'inner'").hasMessageContaining("'outer'");
    }
    assertThat(emitted).isEmpty();
  }

  @Test
  void badCallsAreRejectedNamingWhatIsWrong() {
    assertThatThrownBy(Step::all).isInstanceOf(IllegalArgumentException.class).hasMessage("Step.all needs at least one step");
    assertThatThrownBy(() -> Step.race(counted("a"), counted("b"), counted("a")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Step.race got step id 'a' twice, as its steps 1 and 3; give one of them another id");
    LazyStep<String> a = counted("a");
    StepResults r = Step.all(a);
    assertThatThrownBy(() -> r.get(counted("other"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("was not passed to this Step.all call");
  }

  @Test
  void outsideARunTheStepsRunOneAfterAnother() {
    LazyStep<String> a = counted("a");
    LazyStep<String> b = counted("b");
    assertThat(Step.all(List.of(a, b)).get(b)).isEqualTo("B");
    assertThat(Step.race(a, b).winner()).isSameAs(a);
    assertThat(calls).hasValue(3);
  }
}
