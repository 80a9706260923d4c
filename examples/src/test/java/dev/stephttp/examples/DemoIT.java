package dev.stephttp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The demo behind the README's first command passes (CI also runs the jar itself). */
class DemoIT {
  @Test
  void demoPasses() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    boolean passed = new Demo(new PrintStream(buffer, true, StandardCharsets.UTF_8)).run();
    String output = buffer.toString(StandardCharsets.UTF_8);
    assertThat(passed).as(output).isTrue();
    assertThat(output).contains("demo passed").doesNotContain("FAIL");
  }
}
