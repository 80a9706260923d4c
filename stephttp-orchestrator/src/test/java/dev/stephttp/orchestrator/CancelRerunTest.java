package dev.stephttp.orchestrator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.stephttp.Step;
import dev.stephttp.orchestrator.model.RunStatus;
import dev.stephttp.orchestrator.model.WorkItem;
import dev.stephttp.servlet.StepHttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 2: cancel and rerun through the full stack — the real Java library
 * ({@link StepHttpFilter}) in an app on Jetty, the orchestrator, and the management API.
 */
@Timeout(90)
class CancelRerunTest {
  @TempDir static Path dir;
  static Orchestrator orch;
  static LibraryApp app;
  static String appUrl;
  static Api api;

  @BeforeAll
  static void start() throws Exception {
    orch = Orchestrator.builder().port(0).database(dir.resolve("cancel.db")).signingKey(Api.KEY)
        .eventKey("ek").retryBackoff(Duration.ofMillis(100)).rateLimits(RateLimits.off()).start();
    api = Api.bearer(orch);
    app = LibraryApp.start(orch, Api.KEY, Map.of("/slow", CancelRerunTest::slow, "/greet", CancelRerunTest::greet));
    appUrl = app.url;
  }

  @AfterAll
  static void stop() throws Exception {
    app.close();
    orch.close();
  }

  static void slow(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    Step.run("before", String.class, () -> {
      JavaLibraryEndToEndTest.count(tag + "/before");
      return "b";
    });
    Step.sleep("long-nap", Duration.ofHours(1));
    Step.run("after", String.class, () -> {
      JavaLibraryEndToEndTest.count(tag + "/after");
      return "a";
    });
    JavaLibraryEndToEndTest.write(resp, 200, "woke up");
  }

  static void greet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String tag = req.getParameter("tag");
    String v = Step.run("hello", String.class, () -> {
      JavaLibraryEndToEndTest.count(tag + "/hello");
      return "hello " + tag;
    });
    JavaLibraryEndToEndTest.write(resp, 200, v + " via " + req.getMethod());
  }

  static CompletableFuture<String> userCall(String pathAndQuery) {
    return CompletableFuture.supplyAsync(() -> {
      try (Response r = JavaLibraryEndToEndTest.USER.newCall(
          new Request.Builder().url(appUrl + pathAndQuery).build()).execute()) {
        return r.code() + " " + r.body().string();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** The run of this app whose step "before" ran for {@code tag}, found through the API. */
  static String sleepingRunId() {
    String[] id = new String[1];
    Runs.await("a sleeping run is listed", Duration.ofSeconds(20), () -> {
      JsonNode runs = api.get("/runs?status=RUNNING&appId=" + appUrl).json().get("data");
      for (JsonNode r : runs) {
        if (r.get("waits").size() == 1
            && r.get("waits").get(0).get("reason").asText().equals("SLEEP")) {
          id[0] = r.get("id").asText();
          return true;
        }
      }
      return false;
    });
    return id[0];
  }

  @Test
  void cancellingASleepingRunAnswersTheBlockedClientAndDropsItsTimer() throws Exception {
    CompletableFuture<String> user = userCall("/slow?tag=c1");
    String id = sleepingRunId();
    JsonNode before = Api.ok(api.get("/runs/" + id));
    assertThat(before.get("waits").get(0).get("stepId").asText()).isEqualTo("long-nap");
    java.util.List<WorkItem> work = orch.store().read(tx -> tx.workForRun(id));
    assertThat(work).isNotEmpty();
    assertThat(user).isNotDone();

    JsonNode cancelled = Api.ok(api.post("/runs/" + id + "/cancel", ""));
    assertThat(cancelled.get("runId").asText()).isEqualTo(id);
    assertThat(cancelled.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(cancelled.get("cancelledAt").asText()).endsWith("Z");

    String answer = user.get(30, TimeUnit.SECONDS); // the blocked client is answered
    assertThat(answer).startsWith("500").contains("RunCancelled");
    java.util.List<WorkItem> left = orch.store().read(tx -> tx.workForRun(id));
    assertThat(left).isEmpty();
    assertThat(Runs.counts(orch).get("pauses")).isZero();
    assertThat(orch.scheduler().pending()).isZero(); // no re-entry is left to fire
    JsonNode after = Api.ok(api.get("/runs/" + id));
    assertThat(after.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(after.get("waits")).isEmpty();
    JsonNode nap = Api.ok(api.get("/runs/" + id + "/trace")).get("rootSpan").get("children")
        .get(1);
    assertThat(nap.get("status").asText()).isEqualTo("CANCELLED");
    assertThat(JavaLibraryEndToEndTest.count0("c1/after")).isZero();

    Api.error(api.post("/runs/" + id + "/cancel", "{}"), 409, "run_already_cancelled");
    // a late checkpoint for the cancelled run is ignored
    Http.Result late = Http.post(orch.baseUrl() + "/v1/checkpoint/" + id + "/steps", Api.KEY,
        "{\"run_id\":\"" + id + "\",\"steps\":[" + Runs.complete(200, "late") + "]}");
    assertThat(late.status()).isEqualTo(200);
    assertThat(Runs.run(orch, id).status()).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void cancelOfAFinishedRunIsAConflict() throws Exception {
    assertThat(userCall("/greet?tag=done").get(30, TimeUnit.SECONDS)).startsWith("200");
    String id = completedRunId("/greet?tag=done");
    Api.error(api.post("/runs/" + id + "/cancel", ""), 409, "run_already_finished");
    Api.error(api.post("/runs/" + Runs.newRunId() + "/cancel", ""), 404, "run_not_found");
    Api.error(api.post("/runs/nope/cancel", ""), 400, "invalid_run_id");
  }

  static String completedRunId(String pathAndQuery) {
    String[] id = new String[1];
    Runs.await("the completed run is listed", Duration.ofSeconds(20), () -> {
      for (JsonNode r : api.get("/runs?status=COMPLETED&appId=" + appUrl + "&limit=100").json()
          .get("data")) {
        if (r.get("request").get("url").asText().endsWith(pathAndQuery)) {
          id[0] = r.get("id").asText();
          return true;
        }
      }
      return false;
    });
    return id[0];
  }

  @Test
  void rerunReplaysTheOriginalRequestAsANewLinkedRun() throws Exception {
    assertThat(userCall("/greet?tag=r1").get(30, TimeUnit.SECONDS))
        .isEqualTo("200 hello r1 via GET");
    String original = completedRunId("/greet?tag=r1");
    assertThat(JavaLibraryEndToEndTest.count0("r1/hello")).isEqualTo(1);

    JsonNode rerun = Api.ok(api.post("/runs/" + original + "/rerun", ""));
    String fresh = rerun.get("runId").asText();
    assertThat(fresh).isNotEqualTo(original);
    assertThat(rerun.get("originalRunId").asText()).isEqualTo(original);

    Runs.await("the rerun completes", Duration.ofSeconds(30),
        () -> Runs.run(orch, fresh).status() == RunStatus.COMPLETED);
    JsonNode run = Api.ok(api.get("/runs/" + fresh + "?includeOutput=true"));
    assertThat(run.get("originalRunId").asText()).isEqualTo(original);
    assertThat(run.get("startedAt").isNull()).isFalse();
    assertThat(run.get("request").get("url").asText()).endsWith("/greet?tag=r1");
    assertThat(run.get("request").get("method").asText()).isEqualTo("GET");
    assertThat(run.get("result").get("statusCode").asInt()).isEqualTo(200);
    assertThat(run.get("result").get("body").asText()).isEqualTo("hello r1 via GET");
    assertThat(JavaLibraryEndToEndTest.count0("r1/hello")).isEqualTo(2); // re-entered for real
    // a rerun of the rerun links to the first run of the chain
    JsonNode second = Api.ok(api.post("/runs/" + fresh + "/rerun", "{}"));
    assertThat(second.get("originalRunId").asText()).isEqualTo(original);
    Api.error(api.post("/runs/" + Runs.newRunId() + "/rerun", ""), 404, "run_not_found");
  }

  @Test
  void aQueuedRerunCanBeCancelledBeforeItIsEntered() {
    String original = Api.sleepingRun(orch, "http://127.0.0.1:1", "/never");
    // the original sleeps for an hour: cancel it, then rerun and cancel the rerun at once
    Api.ok(api.post("/runs/" + original + "/cancel", ""));
    JsonNode rerun = Api.ok(api.post("/runs/" + original + "/rerun", ""));
    String fresh = rerun.get("runId").asText();
    Http.Result c = api.post("/runs/" + fresh + "/cancel", "");
    // it was QUEUED or already RUNNING (entered); either way cancel wins or it already failed
    if (c.status() == 200) {
      assertThat(Runs.run(orch, fresh).status()).isEqualTo(RunStatus.CANCELLED);
    } else {
      Api.error(c, 409, "run_already_finished");
    }
  }
}
