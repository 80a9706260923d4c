package dev.stephttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stephttp.internal.Execution;
import dev.stephttp.internal.PassThrough;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class StepOutsideRunTest {
  @Test
  void runSimplyCallsTheFunction() {
    assertThat(Step.run("a", String.class, () -> "value")).isEqualTo("value");
    assertThat(Step.run("b", new TypeReference<List<String>>() {}, () -> List.of("x"))).containsExactly("x");
    int[] calls = {0};
    Step.run("c", () -> calls[0]++);
    assertThat(calls[0]).isEqualTo(1);
  }

  @Test
  void runWrapsCheckedExceptionsAndKeepsUncheckedOnes() {
    assertThatThrownBy(() -> Step.run("a", String.class, () -> {
      throw new java.io.IOException("io");
    })).isInstanceOf(StepFailedException.class).hasCauseInstanceOf(java.io.IOException.class);
    assertThatThrownBy(() -> Step.run("a", String.class, () -> {
      throw new IllegalStateException("ise");
    })).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void asyncStepsNeedARunContext() {
    assertThatThrownBy(() -> Step.sleep("s", Duration.ofSeconds(1)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a run context");
    assertThatThrownBy(() -> Step.sleepUntil("s", Instant.now()))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a run context");
    assertThatThrownBy(() -> Step.waitForEvent("w", WaitForEvent.named("e").timeout(Duration.ofMinutes(1)), Event.class))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a run context");
    assertThatThrownBy(() -> Step.sendEvent("e", Event.of("x", null)))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs a run context");
  }

  @Test
  void inARequestPassedThroughWithoutARunStepsBehaveAsOutsideOneAndAsyncStepsAreRefused() {
    try (Execution.Scope s = PassThrough.enter("HEAD")) {
      assertThat(Step.run("a", String.class, () -> "value")).isEqualTo("value");
      assertThat(RunContext.current()).isEmpty();
      assertThatThrownBy(() -> Step.sleep("s", Duration.ofSeconds(1)))
          .isInstanceOf(PassThrough.Refused.class)
          .hasMessageStartingWith("Step.sleep cannot be used in a HEAD request");
    }
    assertThat(PassThrough.current()).isNull();
  }

  @Test
  void runContextIsEmptyAndPropagateIsTheIdentity() throws Exception {
    assertThat(RunContext.current()).isEmpty();
    Runnable r = () -> {};
    assertThat(RunContext.propagate(r)).isSameAs(r);
    Callable<String> c = () -> "x";
    assertThat(RunContext.propagate(c)).isSameAs(c);
  }

  @Test
  void invalidArgumentsAreRejectedWithPreciseMessages() {
    assertThatThrownBy(() -> Step.run(null, String.class, () -> "x")).hasMessage("id == null");
    assertThatThrownBy(() -> Step.sleep("s", Duration.ofSeconds(-1))).hasMessageContaining("negative");
    assertThatThrownBy(() -> WaitForEvent.named("e").where("data.x; drop", 1)).hasMessageContaining("dotted path");
    assertThatThrownBy(() -> WaitForEvent.named("e").timeout(Duration.ofDays(400))).hasMessageContaining("366");
    assertThatThrownBy(() -> Event.of(" ", null)).hasMessageContaining("blank");
  }
}
