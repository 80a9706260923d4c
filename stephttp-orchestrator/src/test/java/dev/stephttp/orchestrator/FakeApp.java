package dev.stephttp.orchestrator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Signatures;
import dev.stephttp.internal.wire.StepIds;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A tiny app on Jetty (port 0) that answers re-entries the way the Java client does: it fetches
 * {@code /v0/runs/{id}/actions}, replays the handler with memoized steps, and answers 206 with a
 * JSON array of ops ({@code [StepRun]}, {@code [Sleep]}, {@code [WaitForEvent]},
 * {@code [StepError]} + {@code x-inngest-no-retry}, or {@code [RunComplete]}), always with
 * {@code X-Inngest-SDK}. Handlers are registered per path; step executions are counted.
 */
final class FakeApp implements AutoCloseable {

  /** Thrown by a step API call to stop the handler and report ops. */
  static final class Suspend extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final ArrayNode ops;
    final boolean noRetry;

    Suspend(ArrayNode ops, boolean noRetry) {
      super(null, null, false, false);
      this.ops = ops;
      this.noRetry = noRetry;
    }
  }

  /** A memoized step came back as an error. */
  static final class StepFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    StepFailed(String message) {
      super(message);
    }
  }

  /** Endpoint code; returns {status, headers, body}. */
  interface Handler {
    Response handle(Ctx ctx) throws Exception;
  }

  record Response(int status, Map<String, String> headers, String body) {}

  /** Step API seen by a handler during one re-entry. */
  final class Ctx {
    final String runId;
    final JsonNode memo;

    Ctx(String runId, JsonNode memo) {
      this.runId = runId;
      this.memo = memo;
    }

    JsonNode run(String id, StepBody body) {
      String hash = StepIds.hash(id);
      if (memo.has(hash)) {
        JsonNode v = memo.get(hash);
        if (v.has("error")) {
          throw new StepFailed(v.get("error").path("message").asText());
        }
        return v.get("data");
      }
      count(id);
      ObjectNode op = op("StepRun", id);
      try {
        op.set("data", Json.mapper().valueToTree(body.call()));
      } catch (Exception e) {
        op.put("op", "StepError");
        op.putObject("error").put("name", "Error").put("message", e.getMessage())
            .putNull("data");
        throw new Suspend(JsonNodeFactory.instance.arrayNode().add(op), false);
      }
      throw new Suspend(JsonNodeFactory.instance.arrayNode().add(op), false);
    }

    void sleep(String id, String duration) {
      if (memo.has(StepIds.hash(id))) {
        return;
      }
      ObjectNode op = op("Sleep", id);
      op.putObject("opts").put("duration", duration);
      throw new Suspend(JsonNodeFactory.instance.arrayNode().add(op), false);
    }

    JsonNode waitForEvent(String id, String event, String timeout, String condition) {
      String hash = StepIds.hash(id);
      if (memo.has(hash)) {
        return memo.get(hash);
      }
      ObjectNode op = op("WaitForEvent", id);
      ObjectNode opts = op.putObject("opts").put("event", event).put("timeout", timeout);
      if (condition != null) {
        opts.put("if", condition);
      }
      throw new Suspend(JsonNodeFactory.instance.arrayNode().add(op), false);
    }

    void count(String stepId) {
      executions.computeIfAbsent(runId + "/" + stepId, k -> new AtomicInteger()).incrementAndGet();
    }
  }

  interface StepBody {
    Object call() throws Exception;
  }

  static ObjectNode op(String code, String id) {
    ObjectNode op = JsonNodeFactory.instance.objectNode();
    op.put("id", StepIds.hash(id));
    op.put("op", code);
    op.put("name", id);
    op.put("displayName", id);
    op.putObject("userland").put("id", id);
    op.putObject("timing").put("a", 0).put("b", 0);
    return op;
  }

  final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
  final AtomicInteger reentries = new AtomicInteger();
  final AtomicInteger badSignatures = new AtomicInteger();
  private final Map<String, Handler> handlers = new ConcurrentHashMap<>();
  private final LibraryApp app;
  private volatile String orchestratorUrl;
  private volatile String signingKey;

  FakeApp() throws Exception {
    this(0);
  }

  /** An app on {@code port} (0 for any free port). */
  FakeApp(int port) throws Exception {
    app = LibraryApp.plain(this::serve, port);
  }

  FakeApp orchestrator(String url, String key) {
    this.orchestratorUrl = url;
    this.signingKey = key;
    return this;
  }

  FakeApp handle(String path, Handler h) {
    handlers.put(path, h);
    return this;
  }

  String domain() {
    return app.url;
  }

  int executions(String runId, String stepId) {
    AtomicInteger n = executions.get(runId + "/" + stepId);
    return n == null ? 0 : n.get();
  }

  private void serve(HttpServletRequest req, HttpServletResponse resp) throws IOException {
    String runId = req.getHeader("X-Run-ID");
    resp.setHeader("X-Inngest-SDK", "java:v0.1.0");
    if (runId == null || req.getHeader("X-Inngest-Signature") == null) {
      resp.setStatus(400);
      return;
    }
    reentries.incrementAndGet();
    byte[] body = req.getInputStream().readAllBytes();
    if (signingKey != null && !verify(req, body)) {
      badSignatures.incrementAndGet();
      resp.setStatus(401);
      return;
    }
    Handler h = handlers.get(req.getRequestURI());
    JsonNode memo = Json.parse(Http.get(orchestratorUrl + "/v0/runs/" + runId + "/actions",
        signingKey).bodyBytes());
    ArrayNode out;
    boolean noRetry = false;
    try {
      Response r = h.handle(new Ctx(runId, memo));
      ObjectNode complete = JsonNodeFactory.instance.objectNode();
      complete.put("id", StepIds.COMPLETE_ID);
      complete.put("op", "RunComplete");
      ObjectNode data = complete.putObject("data");
      data.put("status", r.status());
      ObjectNode headers = data.putObject("headers");
      r.headers().forEach(headers::put);
      data.put("body", r.body());
      data.put("duration", 1000);
      out = JsonNodeFactory.instance.arrayNode().add(complete);
    } catch (Suspend s) {
      out = s.ops;
      noRetry = s.noRetry;
    } catch (StepFailed e) {
      // A memoized failure the handler did not catch: a non-retriable top-level error.
      resp.setStatus(400);
      resp.setHeader("x-inngest-no-retry", "true");
      resp.setContentType("application/json");
      resp.getOutputStream().write(("{\"name\":\"StepFailed\",\"message\":"
          + JsonNodeFactory.instance.textNode(e.getMessage()) + "}").getBytes(
              StandardCharsets.UTF_8));
      return;
    } catch (Exception e) {
      resp.setStatus(500);
      resp.setHeader("x-inngest-no-retry", "false");
      return;
    }
    resp.setStatus(206);
    resp.setHeader("x-inngest-no-retry", Boolean.toString(noRetry));
    resp.setContentType("application/json");
    resp.getOutputStream().write(out.toString().getBytes(StandardCharsets.UTF_8));
  }

  private boolean verify(HttpServletRequest req, byte[] body) {
    byte[] message = new byte[0];
    if (body.length > 0 && List.of("POST", "PUT").contains(req.getMethod())) {
      message = Signatures.canonicalJson(body);
    }
    return Signatures.verify(req.getHeader("X-Inngest-Signature"), message, signingKey,
        Instant.now(), Duration.ofMinutes(5));
  }

  @Override
  public void close() throws Exception {
    app.close();
  }
}
