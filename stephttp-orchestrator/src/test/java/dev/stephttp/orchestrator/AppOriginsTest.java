package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stephttp.orchestrator.engine.Settings;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.model.RunStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9: whoever holds the signing key could name any callback origin in a create-run, and
 * the orchestrator sent signed re-entries there. With {@code appOrigins} set, only those origins
 * are accepted and called back.
 */
class AppOriginsTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path dir;
  Orchestrator orch;
  RawApp app;
  RawApp other;

  @BeforeEach
  void start() throws Exception {
    app = new RawApp().then(RawApp.ops(206, "[" + Runs.complete(200, "done") + "]", Map.of()));
    other = new RawApp().then(RawApp.ops(206, "[" + Runs.complete(200, "stolen") + "]",
        Map.of()));
    orch = orchestrator(app.domain());
  }

  Orchestrator orchestrator(String... origins) {
    return Orchestrator.builder().port(0).database(dir.resolve("origins.db")).signingKey(KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(20)).appOrigins(origins).start();
  }

  @AfterEach
  void stop() throws Exception {
    orch.close();
    app.close();
    other.close();
  }

  Http.Result create(String id, String domain) {
    return Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, domain, "/r", 0, Runs.stepRun("a", 1), Runs.sleep("nap", "1ms"))
            .toString());
  }

  RunRecord awaitEnd(String id) {
    Runs.await("run " + id + " finished", WAIT, () -> !Runs.run(orch, id).running());
    return Runs.run(orch, id);
  }

  @Test
  void createRunNamingAnotherOriginAnswers400NamingItAndTheSettingAndStoresNothing() {
    String id = Runs.newRunId();

    Http.Result r = create(id, other.domain());

    assertThat(r.status()).as(r.body()).isEqualTo(400);
    assertThat(r.json().path("error").asText())
        .contains("event.data.domain", other.domain(), "appOrigins", "--app-origin");
    assertThat(Runs.run(orch, id)).isNull();
    assertThat(Runs.counts(orch)).containsEntry("runs", 0L).containsEntry("work", 0L);
    assertThat(other.received).isEmpty();
  }

  @Test
  void runOfAnAllowedOriginIsCalledBackThere() {
    String id = Runs.newRunId();

    Http.Result r = create(id, app.domain());

    assertThat(r.status()).as(r.body()).isEqualTo(200);
    RunRecord run = awaitEnd(id);
    assertThat(run.status()).as(run.output()).isEqualTo(RunStatus.COMPLETED);
    assertThat(run.output()).contains("done");
    assertThat(app.received).hasSize(1);
  }

  @Test
  void sameHostOnAnotherPortOrSchemeIsAnotherOrigin() {
    String https = app.domain().replace("http://", "https://");

    assertThat(create(Runs.newRunId(), https).status()).isEqualTo(400);
    assertThat(create(Runs.newRunId(), "http://localhost:"
        + java.net.URI.create(app.domain()).getPort()).status()).isEqualTo(400);
    assertThat(create(Runs.newRunId(), app.domain() + "@evil.example").status())
        .isEqualTo(400);
  }

  @Test
  void runStoredBeforeItsOriginWasDisallowedIsNeverCalledBackAndFails() {
    orch.close();
    orch = orchestrator(app.domain(), other.domain());
    String id = Runs.newRunId();
    // a long sleep: the run is still pending when the orchestrator restarts
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(id, other.domain(), "/r", 0, Runs.stepRun("a", 1), Runs.sleep("nap", "1s"))
            .toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    orch.close();
    orch = orchestrator(app.domain());

    RunRecord run = awaitEnd(id);

    assertThat(run.status()).isEqualTo(RunStatus.FAILED);
    assertThat(run.output()).contains(other.domain(), "appOrigins");
    assertThat(other.received).isEmpty();
  }

  @Test
  void originsComeFromRepeatedOptionsElseTheCommaSeparatedEnvironmentVariable() {
    Settings options = Main.parse(new String[] {"--signing-key", KEY, "--app-origin",
        "https://a.example.com", "--app-origin", "http://127.0.0.1:8080/"},
        Map.of("STEPHTTP_APP_ORIGINS", "https://ignored.example.com")).builder().settings();
    Settings env = Main.parse(new String[] {"--signing-key", KEY},
        Map.of("STEPHTTP_APP_ORIGINS", "https://a.example.com, https://b.example.com:8443"))
        .builder().settings();
    Settings none = Main.parse(new String[] {"--signing-key", KEY}, Map.of()).builder()
        .settings();

    assertThat(options.appOrigins().allowed())
        .containsExactlyInAnyOrder("https://a.example.com:443", "http://127.0.0.1:8080");
    assertThat(env.appOrigins().allowed())
        .containsExactlyInAnyOrder("https://a.example.com:443", "https://b.example.com:8443");
    assertThat(none.appOrigins().unrestricted()).isTrue();
  }

  @Test
  void aValueThatIsNotAnOriginIsRefusedNamingIt() {
    assertThatThrownBy(() -> Main.parse(new String[] {"--signing-key", KEY, "--app-origin",
        "https://a.example.com/app"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--app-origin").hasMessageContaining("https://a.example.com/app");
    assertThatThrownBy(() -> Main.parse(new String[] {"--signing-key", KEY},
        Map.of("STEPHTTP_APP_ORIGINS", "ftp://a.example.com")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("STEPHTTP_APP_ORIGINS").hasMessageContaining("ftp://a.example.com");
    assertThatThrownBy(() -> Orchestrator.builder().appOrigins("*"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void helpListsTheSettings() throws Exception {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    Main.run(new String[] {"--help"}, new java.io.PrintStream(out, true, "UTF-8"),
        System.err);

    assertThat(out.toString(java.nio.charset.StandardCharsets.UTF_8)).contains("--app-origin",
        "STEPHTTP_APP_ORIGINS", "--reentry-timeout-ms", "--reentry-concurrency-per-origin");
  }
}
