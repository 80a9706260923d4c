package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.orchestrator.engine.Settings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The standalone orchestrator's command line: rate-limit options, environment, a busy port. */
class MainCliTest {
  final ByteArrayOutputStream out = new ByteArrayOutputStream();
  final ByteArrayOutputStream err = new ByteArrayOutputStream();
  final PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
  final PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);

  @Test
  void helpListsEveryRateLimitOptionWithItsDefaultAndVariable() throws Exception {
    assertThat(Main.run(new String[] {"--help"}, o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--rate-limit on|off", "--rate-read RATE:BURST", "default 36000:300",
            "--rate-global", "--rate-write", "--rate-events", "--rate-auth-failures",
            "--rate-login", "STEPHTTP_RATE_LIMIT", "STEPHTTP_RATE_READ",
            "STEPHTTP_RATE_AUTH_FAILURES");
  }

  @Test
  void connectionRetriesAndOrphanTimeoutAreOptionsWithDefaults() throws Exception {
    Settings dflt = Main.parse(new String[] {"--signing-key", Api.KEY}, Map.of()).builder()
        .settings();
    Settings set = Main.parse(new String[] {"--signing-key", Api.KEY, "--connection-retries",
        "3", "--orphan-timeout-ms", "90000"}, Map.of()).builder().settings();

    assertThat(dflt.connectionRetries()).isEqualTo(10);
    assertThat(dflt.orphanTimeout()).isEqualTo(java.time.Duration.ofMinutes(10));
    assertThat(set.connectionRetries()).isEqualTo(3);
    assertThat(set.orphanTimeout()).isEqualTo(java.time.Duration.ofSeconds(90));
    assertThat(Main.run(new String[] {"--dev", "--orphan-timeout-ms", "0"}, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("orphanTimeout must be positive");
    assertThat(Main.run(new String[] {"--help"}, o, e)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8))
        .contains("--connection-retries N", "--orphan-timeout-ms N");
  }

  @Test
  void rateOptionReachesTheRunningOrchestrator() {
    Main.Parsed p = Main.parse(new String[] {"--port", "0", "--signing-key", Api.KEY,
        "--rate-read", "60:1"}, Map.of());
    // a stopped clock: under load a second could pass between the requests and refill the bucket
    ManualClock stopped = new ManualClock(new java.util.concurrent.atomic.AtomicLong(1_800_000_000_000L));
    try (Orchestrator orch = p.builder().inMemoryStore().clock(stopped).start()) {
      Api api = Api.bearer(orch);
      Api.ok(api.get("/runs"));
      Api.ok(api.get("/runs"));
      Http.Result throttled = api.get("/runs");
      Api.error(throttled, 429, "rate_limited");
      assertThat(throttled.header("X-RateLimit-Limit")).isEqualTo("60");
      assertThat(throttled.header("Retry-After")).isEqualTo("60");
    }
  }

  @Test
  void environmentSetsALimitWhenItsOptionIsAbsentAndTheOptionWins() {
    Map<String, String> env = Map.of("STEPHTTP_RATE_READ", "120:0", "STEPHTTP_RATE_WRITE",
        "7200:5");
    Main.Parsed fromEnv = Main.parse(new String[] {"--port", "0", "--signing-key", Api.KEY},
        env);
    try (Orchestrator orch = fromEnv.builder().inMemoryStore().start()) {
      assertThat(Api.bearer(orch).get("/runs").header("X-RateLimit-Limit")).isEqualTo("120");
    }
    Main.Parsed option = Main.parse(new String[] {"--port", "0", "--signing-key", Api.KEY,
        "--rate-read", "240:0"}, env);
    try (Orchestrator orch = option.builder().inMemoryStore().start()) {
      assertThat(Api.bearer(orch).get("/runs").header("X-RateLimit-Limit")).isEqualTo("240");
    }
  }

  @Test
  void rateLimitOffLetsEveryRequestThrough() {
    Main.Parsed p = Main.parse(new String[] {"--port", "0", "--signing-key", Api.KEY,
        "--rate-read", "60:0", "--rate-limit", "off"}, Map.of());
    try (Orchestrator orch = p.builder().inMemoryStore().start()) {
      for (int i = 0; i < 5; i++) {
        Http.Result r = Api.bearer(orch).get("/runs");
        Api.ok(r);
        assertThat(r.header("X-RateLimit-Limit")).isNull();
      }
    }
  }

  @Test
  void badRateValueIsRejectedWithTheExpectedForm() throws Exception {
    assertThat(Main.run(new String[] {"--dev", "--rate-read", "fast"}, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("error: --rate-read must be"
        + " RATE:BURST (requests per hour : burst, e.g. 36000:300) but was 'fast'\n");
    err.reset();
    assertThat(Main.run(new String[] {"--dev", "--rate-login", "0:1"}, o, e)).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .startsWith("error: --rate-login: perHour must be in 1..36000000 but was 0\n");
  }

  @Test
  void portInUseEndsInOneLineAndExitCode2(@TempDir Path dir) throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      int code = Main.run(new String[] {"--dev", "--port", Integer.toString(port), "--db",
          dir.resolve("o.db").toString()}, o, e);
      assertThat(code).isEqualTo(2);
      assertThat(err.toString(StandardCharsets.UTF_8))
          .isEqualTo("port " + port + " is already in use; pass --port N\n");
      assertThat(out.toString(StandardCharsets.UTF_8)).isEmpty();
    }
  }
}
