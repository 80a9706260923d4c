package dev.stephttp.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The short form of the soak (one minute of mixed runs, as CI runs it): no flow fails, and heap,
 * threads and open files of the app and the orchestrator stay within the bounds after the
 * warm-up. The long form is {@code java -jar stephttp-benchmarks.jar soak --minutes 10}.
 */
class SoakTest {
  @Test
  @Timeout(240)
  void oneMinuteOfMixedRunsFailsNothingAndGrowsNothing() throws Exception {
    String jar = System.getProperty("stephttp.orchestrator.jar", ChildOrchestrator.DEFAULT_JAR);
    assumeTrue(Files.isRegularFile(Path.of(jar)), "orchestrator jar not built: " + jar);
    Soak.Result r = Soak.run(new Args(new String[] {"--jar", jar, "--seconds", "60", "--workers", "6"}));

    assertThat(r.violations()).as(r.markdown()).isEmpty();
    assertThat(r.errors()).as(r.markdown()).isZero();
    assertThat(r.flows()).as(r.markdown()).isGreaterThan(100);
    for (String kind : Soak.KINDS) {
      assertThat(r.load().median(kind, "flows")).as(kind).isPositive();
    }
  }
}
