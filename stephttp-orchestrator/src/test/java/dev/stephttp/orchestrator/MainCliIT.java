package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone jar as an operator runs it: a busy port is one line on stderr and exit 2. */
class MainCliIT {

  @Test
  void busyPortIsOneLineWithoutStackTraceAndExitCode2(@TempDir Path dir) throws Exception {
    String jar = System.getProperty("stephttp.orchestrator.jar");
    assertThat(jar).as("system property stephttp.orchestrator.jar").isNotNull();
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      Process p = new ProcessBuilder(java, "-Xmx128m", "-jar", jar, "--port",
          Integer.toString(port), "--dev", "--db", dir.resolve("o.db").toString())
          .redirectErrorStream(true).start();
      String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(output).isEqualTo(2);
      assertThat(output.lines().filter(l -> !l.isBlank()).toList())
          .containsExactly("port " + port + " is already in use; pass --port N");
    }
  }
}
