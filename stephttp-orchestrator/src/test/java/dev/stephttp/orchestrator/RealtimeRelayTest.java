package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The realtime relay (docs/protocol.md §2.7) over loopback with a plain SSE client: events
 * published to {@code /v1/realtime/publish/tee} reach {@code /v1/realtime/sse} subscribers live and
 * whole, a late subscriber gets the replay buffer, keepalives flow, the stream ends at
 * {@code inngest.response}, and tokens and publishers are checked.
 */
class RealtimeRelayTest {
  static final String KEY = "signkey-test-0123456789abcdef0123456789abcdef";
  static final AtomicLong NOW = new AtomicLong(System.currentTimeMillis());
  static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir static Path dir;
  static Orchestrator orch;

  @BeforeAll
  static void start() {
    orch = Orchestrator.builder().port(0).database(dir.resolve("rt.db")).signingKey(KEY)
        .clock(new ManualClock(NOW)).realtimeKeepAlive(Duration.ofMillis(200)).start();
  }

  @AfterAll
  static void stop() {
    orch.close();
  }

  /** Creates a run and returns {runId, realtime token, output token}. */
  static String[] newRun() {
    String runId = Runs.newRunId();
    Http.Result r = Http.post(orch.baseUrl() + "/v1/checkpoint", KEY,
        Runs.create(runId, "http://127.0.0.1:9", "/stream", 0).toString());
    assertThat(r.status()).as(r.body()).isEqualTo(200);
    JsonNode data = r.json().get("data");
    assertThat(data.get("realtime_token").asText()).isNotEmpty();
    return new String[] {runId, data.get("realtime_token").asText(), data.get("token").asText()};
  }

  static String event(String name, String json) {
    return "event: " + name + "\ndata: " + json + "\n\n";
  }

  static String sseUrl(String token) {
    return orch.baseUrl() + "/v1/realtime/sse?token=" + token;
  }

  static Http.Result publish(String channel, String key, String body) {
    Request.Builder b = new Request.Builder().url(orch.baseUrl() + "/v1/realtime/publish/tee?channel=" + channel)
        .post(RequestBody.create(body.getBytes(StandardCharsets.UTF_8), MediaType.get("application/octet-stream")));
    if (key != null) {
      b.header("Authorization", Http.bearer(key));
    }
    return Http.execute(b.build());
  }

  /** An upload that stays open; each offered string is written and flushed at once. */
  static final class OpenUpload extends RequestBody {
    private static final String END = "";
    final BlockingQueue<String> parts = new LinkedBlockingQueue<>();
    final CompletableFuture<Integer> status = new CompletableFuture<>();

    static OpenUpload start(String channel) {
      OpenUpload body = new OpenUpload();
      Http.CLIENT.newCall(new Request.Builder().url(orch.baseUrl() + "/v1/realtime/publish/tee?channel=" + channel)
          .header("Authorization", Http.bearer(KEY)).post(body).build()).enqueue(new Callback() {
            @Override
            public void onFailure(Call call, IOException e) {
              body.status.completeExceptionally(e);
            }

            @Override
            public void onResponse(Call call, Response response) {
              response.close();
              body.status.complete(response.code());
            }
          });
      return body;
    }

    @Override
    public MediaType contentType() {
      return MediaType.get("application/octet-stream");
    }

    @Override
    public void writeTo(BufferedSink sink) throws IOException {
      try {
        String part;
        while (!(part = parts.take()).equals(END)) {
          sink.writeUtf8(part);
          sink.flush();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException(e);
      }
    }

    void end() {
      parts.add(END);
    }
  }

  @Test
  void liveEventsReachASubscriberWholeAndInOrderThroughPartialWritesAndTheStreamEndsAtTheResponse()
      throws Exception {
    String[] run = newRun();
    try (SseReader sse = SseReader.open(sseUrl(run[1]))) {
      assertThat(sse.response.code()).isEqualTo(200);
      assertThat(sse.response.header("Content-Type")).startsWith("text/event-stream");
      assertThat(sse.response.header("Cache-Control")).isEqualTo("no-cache");
      assertThat(sse.response.header("Access-Control-Allow-Origin")).isEqualTo("*");
      OpenUpload upload = OpenUpload.start(run[0]);
      String first = event("inngest.stream", "{\"data\":\"one\"}");
      upload.parts.add(event("inngest.metadata", "{\"runId\":\"" + run[0] + "\"}"));
      upload.parts.add(first.substring(0, 10)); // an event cut in two: relayed only once whole
      upload.parts.add(first.substring(10));
      assertThat(sse.until("inngest.stream", WAIT)).containsExactly(
          "event: inngest.metadata\ndata: {\"runId\":\"" + run[0] + "\"}",
          "event: inngest.stream\ndata: {\"data\":\"one\"}");
      upload.parts.add(":\n\n"); // a publisher's keepalive is not relayed
      upload.parts.add(event("inngest.commit", "{\"hashedStepId\":\"abc\"}"));
      assertThat(sse.until("inngest.commit", WAIT)).containsExactly("event: inngest.commit\ndata: {\"hashedStepId\":\"abc\"}");
      upload.parts.add(event("inngest.response",
          "{\"status\":\"succeeded\",\"response\":{\"body\":\"ok\",\"statusCode\":201,\"headers\":{}}}"));
      upload.end();
      assertThat(upload.status.get(10, TimeUnit.SECONDS)).isEqualTo(200);
      assertThat(sse.until("inngest.response", WAIT)).hasSize(1);
      assertThat(sse.next(WAIT)).isEqualTo(SseReader.EOF); // the relay ends the stream after the response
    }
  }

  @Test
  void aLateSubscriberGetsEverythingPublishedBeforeItConnected() throws Exception {
    String[] run = newRun();
    assertThat(publish(run[0], KEY, event("inngest.metadata", "{\"runId\":\"" + run[0] + "\"}")
        + event("inngest.stream", "{\"data\":1,\"hashedStepId\":\"s1\"}")
        + event("inngest.rollback", "{\"hashedStepId\":\"s1\"}")).status()).isEqualTo(200);
    try (SseReader late = SseReader.open(sseUrl(run[1]))) {
      List<String> replayed = late.until("inngest.rollback", WAIT);
      assertThat(replayed).hasSize(3);
      assertThat(replayed.get(1)).isEqualTo("event: inngest.stream\ndata: {\"data\":1,\"hashedStepId\":\"s1\"}");
      publish(run[0], KEY, event("inngest.stream", "{\"data\":2}") + event("inngest.response",
          "{\"status\":\"succeeded\",\"response\":{\"body\":\"\",\"statusCode\":200,\"headers\":{}}}"));
      assertThat(late.until("inngest.response", WAIT)).hasSize(2);
    }
    // After the response, a subscriber gets the whole buffer and the end at once.
    try (SseReader after = SseReader.open(sseUrl(run[1]))) {
      assertThat(after.until("inngest.response", WAIT)).hasSize(5);
      assertThat(after.next(WAIT)).isEqualTo(SseReader.EOF);
    }
  }

  @Test
  void theRunsViewCountsItsRelayedChunksAndWhatTheirStepsCommittedOrRolledBack() {
    String[] run = newRun();
    assertThat(Api.ok(Api.bearer(orch).get("/runs/" + run[0])).get("stream").isNull())
        .as("a run that never streamed").isTrue();
    String response = event("inngest.response",
        "{\"status\":\"succeeded\",\"response\":{\"body\":\"\",\"statusCode\":200,\"headers\":{}}}");
    assertThat(publish(run[0], KEY, event("inngest.metadata", "{\"runId\":\"" + run[0] + "\"}")
        + event("inngest.stream", "{\"data\":{\"hashedStepId\":\"not-this\"},\"hashedStepId\":\"a\"}")
        + event("inngest.stream", "{\"hashedStepId\":\"b\",\"data\":[1,2]}")
        + event("inngest.stream", "{\"data\":\"a again\",\"hashedStepId\":\"a\"}")
        + event("inngest.rollback", "{\"hashedStepId\":\"b\"}")
        + event("inngest.stream", "{\"data\":\"b retried\",\"hashedStepId\":\"b\"}")
        + event("inngest.commit", "{\"hashedStepId\":\"a\"}")
        + event("inngest.stream", "{\"data\":\"outside any step\"}")
        + event("inngest.stream", "not json")
        + event("inngest.commit", "{\"hashedStepId\":\"b\"}")
        + event("inngest.commit", "{\"hashedStepId\":\"b\"}") // nothing left to commit
        + response
        + event("inngest.stream", "{\"data\":\"after the response: dropped\"}")).status()).isEqualTo(200);
    JsonNode stream = Api.ok(Api.bearer(orch).get("/runs/" + run[0])).get("stream");
    assertThat(stream.get("chunks").asLong()).isEqualTo(6);
    assertThat(stream.get("committed").asLong()).isEqualTo(3);
    assertThat(stream.get("rolledBack").asLong()).isEqualTo(1);
    JsonNode listed = null;
    for (JsonNode r : Api.ok(Api.bearer(orch).get("/runs?limit=100"))) {
      listed = r.get("id").asText().equals(run[0]) ? r : listed;
    }
    assertThat(listed).as("the run in the list").isNotNull();
    assertThat(listed.get("stream")).isEqualTo(stream);
  }

  @Test
  void aRunThatEndsWithoutItsAppsAnswerIsAnsweredFromTheStore() throws Exception {
    String[] run = newRun();
    try (SseReader sse = SseReader.open(sseUrl(run[1]))) {
      assertThat(sse.next(WAIT)).isEqualTo(":"); // subscribed: keepalives flow
      Api.ok(Api.bearer(orch).post("/runs/" + run[0] + "/cancel", ""));
      List<String> events = sse.until("inngest.response", WAIT);
      JsonNode data = dev.stephttp.internal.wire.Json.parse(
          events.get(0).substring(events.get(0).indexOf("data: ") + 6).getBytes(StandardCharsets.UTF_8));
      assertThat(data.get("status").asText()).isEqualTo("failed");
      assertThat(data.at("/response/statusCode").asInt()).isEqualTo(500);
      assertThat(data.at("/response/body").asText()).isEqualTo("\"The run was cancelled\"");
      String end;
      do {
        end = sse.next(WAIT);
      } while (end.equals(":"));
      assertThat(end).isEqualTo(SseReader.EOF);
    }
  }

  @Test
  void subscribersGetKeepaliveComments() throws Exception {
    String[] run = newRun();
    try (SseReader sse = SseReader.open(sseUrl(run[1]))) {
      assertThat(sse.next(WAIT)).isEqualTo(":");
      assertThat(sse.next(WAIT)).isEqualTo(":");
    }
  }

  @Test
  void wrongExpiredOrOutputTokensAreRefused() throws Exception {
    String[] run = newRun();
    String[] parts = run[1].split("\\.");
    String forged = parts[0] + "." + parts[1] + "." + "A".repeat(parts[2].length());
    for (String bad : new String[] {forged, run[2], "nope", ""}) {
      try (SseReader sse = SseReader.open(sseUrl(bad))) {
        assertThat(sse.response.code()).as(bad).isEqualTo(401);
        assertThat(sse.response.body().string()).contains("Invalid or expired realtime token");
      }
    }
    try (SseReader sse = SseReader.open(new Request.Builder().url(orch.baseUrl() + "/v1/realtime/sse")
        .header("Authorization", "Bearer " + run[1]).build())) {
      assertThat(sse.response.code()).isEqualTo(200); // the token may come as a bearer header too
    }
    long before = NOW.get();
    NOW.addAndGet(Duration.ofMinutes(17).toMillis()); // the realtime token lives 16 minutes
    try (SseReader sse = SseReader.open(sseUrl(run[1]))) {
      assertThat(sse.response.code()).isEqualTo(401);
    } finally {
      NOW.set(before);
    }
  }

  @Test
  void publishingNeedsTheSigningKeyAndARunIdChannel() {
    String[] run = newRun();
    assertThat(publish(run[0], null, event("inngest.stream", "{}")).status()).isEqualTo(401);
    assertThat(publish(run[0], "signkey-test-00000000000000000000000000000000", "").status()).isEqualTo(401);
    Http.Result noChannel = Http.execute(new Request.Builder().url(orch.baseUrl() + "/v1/realtime/publish/tee")
        .header("Authorization", Http.bearer(KEY)).post(RequestBody.create(new byte[0])).build());
    assertThat(noChannel.status()).isEqualTo(400);
    assertThat(noChannel.json().get("error").asText()).isEqualTo("channel is required");
    Http.Result badChannel = publish("../x", KEY, "");
    assertThat(badChannel.status()).isEqualTo(400);
    assertThat(badChannel.json().get("error").asText()).isEqualTo("channel must be a run ID (a ULID)");
    Http.Result wrongMethod = Http.get(orch.baseUrl() + "/v1/realtime/publish/tee?channel=" + run[0], KEY);
    assertThat(wrongMethod.status()).isEqualTo(405);
  }

  @Test
  void anOversizedEventIsRefusedWith413() {
    String[] run = newRun();
    String huge = "event: inngest.stream\ndata: \"" + "x".repeat((1 << 20) + 10) + "\"";
    Http.Result r = publish(run[0], KEY, huge);
    assertThat(r.status()).isEqualTo(413);
    assertThat(r.body()).doesNotContain("Exception");
  }
}
