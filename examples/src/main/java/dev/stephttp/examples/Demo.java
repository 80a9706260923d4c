package dev.stephttp.examples;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.orchestrator.Orchestrator;
import dev.stephttp.servlet.StepHttpConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.eclipse.jetty.server.Server;

/**
 * The demo: an embedded orchestrator (SQLite in a temporary folder) and the example app, then a
 * walk through the four situations — a synchronous run, a sleep, a wait for an event, and a
 * retried step — printing what happens. {@link #run} returns true only if every part behaved as
 * expected.
 */
final class Demo {
  private static final MediaType JSON = MediaType.get("application/json");

  private final PrintStream out;
  private final OkHttpClient http = new OkHttpClient.Builder()
      .followRedirects(false)
      .readTimeout(2, TimeUnit.MINUTES)
      .callTimeout(2, TimeUnit.MINUTES)
      .build();
  private String app;
  private String orchestratorUrl;
  private String eventKey;
  private int failures;

  Demo(PrintStream out) {
    this.out = out;
  }

  boolean run() throws Exception {
    Path dir = Files.createTempDirectory("stephttp-demo");
    String signingKey = "signkey-demo-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(32));
    eventKey = "demo-event-key";
    long t0 = System.nanoTime();
    try (Orchestrator orchestrator = Orchestrator.builder().host("127.0.0.1").port(0)
        .database(dir.resolve("stephttp.db")).signingKey(signingKey).eventKey(eventKey)
        .retryBackoff(Duration.ofSeconds(1)).start()) {
      orchestratorUrl = orchestrator.baseUrl();
      StepHttpConfig.Builder config = StepHttpConfig.builder().baseUrl(orchestratorUrl).signingKey(signingKey)
          .eventKey(eventKey);
      Server server = ExampleApps.programmaticFilter("127.0.0.1", 0, config);
      try {
        app = "http://127.0.0.1:" + ExampleApps.port(server);
        out.printf("orchestrator  %s (SQLite %s, signing key required)%n", orchestratorUrl, dir.resolve("stephttp.db"));
        out.printf("example app   %s (StepHttpFilter registered programmatically)%n%n", app);
        syncRun();
        sleepingRun();
        waitingRun();
        retriedRun();
      } finally {
        server.stop();
      }
    } finally {
      deleteQuietly(dir);
    }
    out.printf("%n%s in %d ms%n", failures == 0 ? "demo passed" : failures + " part(s) FAILED",
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
    return failures == 0;
  }

  private void syncRun() throws IOException {
    out.println("1. A synchronous run: GET /greet?name=Ada (two steps, no async step)");
    long t = System.nanoTime();
    try (Response r = http.newCall(new Request.Builder().url(app + "/greet?name=Ada").build()).execute()) {
      String body = r.body().string();
      out.printf("   %d in %d ms, run %s: %s%n", r.code(), ms(t), r.header("X-Run-ID"), body);
      check(r.code() == 200 && body.contains("Hello, dear Ada!"), "the handler's own 200 answer");
    }
  }

  private void sleepingRun() throws IOException {
    out.println("2. A run that sleeps 2 s: POST /orders?coolOff=2s");
    long t = System.nanoTime();
    Request create = new Request.Builder().url(app + "/orders?coolOff=2s")
        .post(RequestBody.create("{\"item\":\"book\",\"quantity\":2}", JSON)).build();
    String location;
    try (Response r = http.newCall(create).execute()) {
      location = r.header("Location");
      out.printf("   %d in %d ms, run %s -> %s%n", r.code(), ms(t), r.header("X-Run-ID"), redact(location));
      check(r.code() == 303 && location != null, "303 to the run-output URL");
    }
    if (location == null) {
      return;
    }
    JsonNode body = follow(location, t, 201);
    if (body != null) {
      String order = body.path("orderId").asText();
      boolean once = OrderServlet.EXECUTIONS.get(order + "/create-order").get() == 1
          && OrderServlet.EXECUTIONS.get(order + "/ship").get() == 1;
      check(body.path("tracking").asText().startsWith("trk_") && once, "each step ran exactly once");
    }
  }

  private void waitingRun() throws IOException {
    String request = "r-" + UUID.randomUUID().toString().substring(0, 6);
    out.printf("3. A run that waits for an event: POST /approvals?request=%s%n", request);
    long t = System.nanoTime();
    String location;
    try (Response r = http.newCall(new Request.Builder().url(app + "/approvals?request=" + request)
        .post(RequestBody.create(new byte[0])).build()).execute()) {
      location = r.header("Location");
      out.printf("   %d in %d ms, run %s is waiting for %s%n", r.code(), ms(t), r.header("X-Run-ID"), ApprovalServlet.EVENT);
      check(r.code() == 303 && location != null, "303 to the run-output URL");
    }
    if (location == null) {
      return;
    }
    sendEvent("{\"name\":\"" + ApprovalServlet.EVENT + "\",\"data\":{\"requestId\":\"someone-else\",\"by\":\"mallory\"}}");
    out.println("   sent an approval for another request (must not match)");
    sendEvent("{\"name\":\"" + ApprovalServlet.EVENT + "\",\"data\":{\"requestId\":\"" + request + "\",\"by\":\"ops\"}}");
    out.println("   sent the matching approval");
    JsonNode body = follow(location, t, 200);
    check(body != null && body.path("status").asText().endsWith("approved by ops"), "resumed by the matching event");
  }

  private void retriedRun() throws IOException {
    String key = "k-" + UUID.randomUUID().toString().substring(0, 6);
    out.println("4. A step that fails once and is retried: GET /partner?key=" + key);
    long t = System.nanoTime();
    String location;
    try (Response r = http.newCall(new Request.Builder().url(app + "/partner?key=" + key).build()).execute()) {
      location = r.header("Location");
      out.printf("   %d in %d ms: the partner call failed, run %s continues asynchronously%n", r.code(), ms(t),
          r.header("X-Run-ID"));
      check(r.code() == 303 && location != null, "303 to the run-output URL");
    }
    if (location == null) {
      return;
    }
    JsonNode body = follow(location, t, 200);
    check(body != null && body.path("answeredOnAttempt").asInt() == 2
        && FlakyPartnerServlet.CALLS.get(key).get() == 2, "recovered on the second attempt");
  }

  private JsonNode follow(String location, long t, int expectedStatus) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(location).build()).execute()) {
      String body = r.body().string();
      out.printf("   followed the redirect: %d after %d ms: %s%n", r.code(), ms(t), body);
      check(r.code() == expectedStatus, "the final " + expectedStatus + " from the re-entered handler");
      return r.code() == expectedStatus ? Json.MAPPER.readTree(body) : null;
    }
  }

  private void sendEvent(String json) throws IOException {
    try (Response r = http.newCall(new Request.Builder().url(orchestratorUrl + "/e/" + eventKey)
        .post(RequestBody.create(json, JSON)).build()).execute()) {
      check(r.code() == 200, "event accepted");
    }
  }

  private void check(boolean ok, String what) {
    out.printf("   %s %s%n", ok ? "ok  " : "FAIL", what);
    if (!ok) {
      failures++;
    }
  }

  private static long ms(long since) {
    return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - since);
  }

  private static String redact(String location) {
    return location == null ? null : location.replaceAll("token=[^&]+", "token=…");
  }

  private static void deleteQuietly(Path dir) {
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ignored) {
      // a temporary folder; the OS cleans it up
    }
  }
}
