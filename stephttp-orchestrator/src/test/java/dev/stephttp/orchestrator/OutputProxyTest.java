package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stephttp.Step;
import dev.stephttp.servlet.AsyncResponse;
import dev.stephttp.servlet.FunctionOptions;
import dev.stephttp.servlet.OutputProxyServlet;
import dev.stephttp.servlet.StepHttp;
import dev.stephttp.servlet.StepHttpConfig;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import okhttp3.Request;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11 item 4: the run's final answer served on the app's own origin by {@link
 * OutputProxyServlet}, against the real orchestrator over loopback, with the final status and
 * headers kept; hostile input answered with the documented 4xx.
 */
class OutputProxyTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final String SHOP = "https://shop.example";

  @TempDir static Path dir;
  static Orchestrator orch;
  static LibraryApp app;

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("proxy.db")).signingKey(KEY)
        .retryBackoff(Duration.ofMillis(100)).start();
    app = LibraryApp.start(orch, KEY, Map.of("/order", OutputProxyTest::order, "/plain", OutputProxyTest::plain),
        (ctx, config) -> {
          ctx.addServlet(new ServletHolder(new OutputProxyServlet(config, Set.of(SHOP))), "/v1/http/runs/*");
          StepHttpConfig down = config.toBuilder().baseUrl("http://127.0.0.1:" + closedPort()).build();
          ctx.addServlet(new ServletHolder(new OutputProxyServlet(down)), "/down/*");
        });
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    orch.close();
  }

  /** A run that sleeps, then answers 201 with its own headers. */
  static void order(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    StepHttp.configure(FunctionOptions.builder().asyncResponse(AsyncResponse.proxy()).build());
    String id = Step.run("create", String.class, () -> "ord-" + req.getParameter("tag"));
    Step.sleep("cool-off", Duration.ofMillis(300));
    resp.setStatus(201);
    resp.setHeader("X-Order", id);
    resp.setHeader("Location", "/orders/" + id);
    resp.setContentType("application/json");
    resp.getOutputStream().write(("{\"order\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8));
  }

  /** A run that redirects to the orchestrator (the default), to take a real token from. */
  static void plain(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    Step.run("a", String.class, () -> "a");
    Step.sleep("nap", Duration.ofMillis(200));
    resp.setStatus(202);
    resp.getOutputStream().write("plain".getBytes(StandardCharsets.UTF_8));
  }

  private static int closedPort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static Http.Result get(String pathAndQuery, String... headers) {
    Request.Builder b = new Request.Builder().url(app.url + pathAndQuery);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return Http.execute(b.build());
  }

  /** The token the orchestrator minted for a run, taken from a real async switch. */
  private static String[] realRun() {
    Http.Result r = get("/plain");
    assertThat(r.status()).isEqualTo(303);
    String location = r.header("Location");
    String runId = location.replaceAll(".*/runs/([0-9A-Z]{26})/output.*", "$1");
    String token = location.substring(location.indexOf("token=") + 6);
    return new String[] {runId, token};
  }

  @Test
  void theProxyRedirectLeadsToTheAppsOwnOriginWithTheFinalStatusHeadersAndBody() {
    Http.Result switched = get("/order?tag=p1");
    assertThat(switched.status()).isEqualTo(303);
    String location = switched.header("Location");
    assertThat(location).startsWith("/v1/http/runs/" + switched.header("X-Run-ID") + "/output?token=");

    Http.Result out = get(location);
    assertThat(out.status()).isEqualTo(201);
    assertThat(out.header("X-Order")).isEqualTo("ord-p1");
    assertThat(out.header("Location")).isEqualTo("/orders/ord-p1");
    assertThat(out.header("Content-Type")).startsWith("application/json");
    assertThat(out.body()).isEqualTo("{\"order\":\"ord-p1\"}");
    assertThat(out.header("Access-Control-Allow-Origin")).isNull(); // no Origin, no CORS answer
  }

  @Test
  void corsIsAnsweredOnlyToTheConfiguredOriginsAndExposesTheRunsHeaders() {
    String location = get("/order?tag=c1").header("Location");
    Http.Result out = get(location, "Origin", SHOP);
    assertThat(out.status()).isEqualTo(201);
    assertThat(out.header("Access-Control-Allow-Origin")).isEqualTo(SHOP);
    assertThat(out.header("Access-Control-Expose-Headers")).containsIgnoringCase("X-Order").contains("Location");
    assertThat(out.headers().values("Vary")).contains("Origin");

    Http.Result other = get(location, "Origin", "https://evil.example");
    assertThat(other.status()).isEqualTo(201);
    assertThat(other.header("Access-Control-Allow-Origin")).isNull();

    Http.Result preflight = Http.execute(new Request.Builder().url(app.url + location)
        .method("OPTIONS", null).header("Origin", SHOP).header("Access-Control-Request-Method", "GET").build());
    assertThat(preflight.status()).isEqualTo(204);
    assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo(SHOP);
    assertThat(preflight.header("Access-Control-Allow-Methods")).isEqualTo("GET, OPTIONS");
  }

  @Test
  void corsIsOffByDefault() {
    String[] run = realRun();
    Http.Result out = get("/down/" + run[0] + "/output?token=" + run[1], "Origin", SHOP);
    assertThat(out.header("Access-Control-Allow-Origin")).isNull();
  }

  @Test
  void hostileRunIdsAndTokensAreRefusedWithoutCallingTheOrchestrator() {
    String[] run = realRun();
    String token = run[1];
    assertError(get("/v1/http/runs/not-a-run/output?token=" + token), 400, "invalid_run_id");
    assertError(get("/v1/http/runs/" + run[0] + "X/output?token=" + token), 400, "invalid_run_id");
    assertError(get("/v1/http/runs/evil.example:80@x/output?token=" + token), 400, "invalid_run_id");
    assertError(get("/v1/http/runs/" + run[0] + "/output"), 400, "missing_token");
    assertError(get("/v1/http/runs/" + run[0] + "/output?token="), 400, "missing_token");
    assertError(get("/v1/http/runs/" + run[0] + "/output?token=a%26url%3Dhttp%3A%2F%2Fevil"), 400, "invalid_token");
    assertError(get("/v1/http/runs/" + run[0] + "/output?token=" + "a".repeat(5000)), 400, "invalid_token");
    assertError(get("/v1/http/runs/" + run[0]), 404, "not_found");
    Http.Result post = Http.execute(new Request.Builder().url(app.url + "/v1/http/runs/" + run[0] + "/output?token="
        + token).post(okhttp3.RequestBody.create(new byte[0])).build());
    assertError(post, 405, "method_not_allowed");
    assertThat(post.header("Allow")).isEqualTo("GET, OPTIONS");
  }

  @Test
  void aWrongTokenIsRefusedByTheOrchestratorAndTheRefusalRelayed() {
    String[] run = realRun();
    String[] parts = run[1].split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + "A".repeat(parts[2].length());
    Http.Result out = get("/v1/http/runs/" + run[0] + "/output?token=" + forged);
    assertThat(out.status()).isEqualTo(401);
    assertThat(out.body()).contains("Unable to find run with auth token");

    Http.Result ok = get("/v1/http/runs/" + run[0] + "/output?token=" + run[1]);
    assertThat(ok.status()).isEqualTo(202);
    assertThat(ok.body()).isEqualTo("plain");
  }

  @Test
  void anUnreachableOrchestratorIs502WithRetryAfter() {
    String[] run = realRun();
    Http.Result out = get("/down/" + run[0] + "/output?token=" + run[1]);
    assertError(out, 502, "orchestrator_unavailable");
    assertThat(out.header("Retry-After")).isEqualTo("5");
  }

  private static void assertError(Http.Result r, int status, String code) {
    assertThat(r.status()).as(r.body()).isEqualTo(status);
    assertThat(r.json().at("/errors/0/code").asText()).isEqualTo(code);
    assertThat(r.body()).doesNotContain("Exception").doesNotContain("dev.stephttp");
  }
}
