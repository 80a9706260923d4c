package dev.stephttp.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.stephttp.internal.wire.Json;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A real HTTP server on a loopback port that stands in for the orchestrator: it records every
 * request and answers per docs/protocol.md §2, §4 and §10.1. Tests can hold a route, make it fail, and
 * serve memoized state.
 */
final class StandInOrchestrator implements AutoCloseable {
  /** One recorded request. */
  record Recorded(String method, String path, Map<String, List<String>> headers, byte[] body, long arrivedNanos) {
    JsonNode json() {
      return Json.parse(body);
    }

    String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  static final String FN_ID = "1704f22c-f0a0-569a-ae08-53c927c1b8d7";
  static final String APP_ID = "9ffc093b-9320-5c47-9d50-c8d7947613fd";

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool();
  final List<Recorded> requests = new CopyOnWriteArrayList<>();
  final Map<String, JsonNode> state = new ConcurrentHashMap<>();
  volatile int createRunStatus = 200;
  volatile int actionsStatus = 200;
  volatile String actionsBody;
  volatile String token = "tok.en-value";
  volatile CountDownLatch holdCreateRun;
  volatile CountDownLatch createRunArrived;
  /** When set, the realtime relay's route answers only once it is counted down. */
  volatile CountDownLatch holdRelay;

  StandInOrchestrator() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  String baseUrl() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange ex) throws IOException {
    byte[] body = ex.getRequestBody().readAllBytes();
    String path = ex.getRequestURI().getRawPath();
    requests.add(new Recorded(ex.getRequestMethod(), path, Map.copyOf(ex.getRequestHeaders()), body, System.nanoTime()));
    synchronized (this) {
      notifyAll();
    }
    try {
      if (path.equals("/v1/checkpoint") && ex.getRequestMethod().equals("POST")) {
        CountDownLatch arrived = createRunArrived;
        if (arrived != null) {
          arrived.countDown();
        }
        CountDownLatch hold = holdCreateRun;
        if (hold != null && !hold.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("create-run was held for too long");
        }
        if (createRunStatus != 200) {
          send(ex, createRunStatus, "{\"error\":\"down\",\"data\":null,\"status\":" + createRunStatus + "}");
          return;
        }
        String runId = Json.parse(body).path("run_id").asText();
        ObjectNode data = Json.mapper().createObjectNode()
            .put("fn_id", FN_ID).put("app_id", APP_ID).put("run_id", runId)
            .put("token", token).put("realtime_token", "rt");
        ObjectNode envelope = Json.mapper().createObjectNode();
        envelope.set("data", data);
        envelope.putObject("metadata").put("fetched_at", "2026-11-21T00:00:00Z");
        send(ex, 200, Json.mapper().writeValueAsString(envelope) + "\n");
      } else if (path.equals("/v1/realtime/publish/tee")) {
        CountDownLatch hold = holdRelay;
        if (hold != null && !hold.await(30, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the relay was held for too long");
        }
        send(ex, 200, "");
      } else if (path.matches("/v1/checkpoint/[^/]+/steps")) {
        send(ex, 200, "");
      } else if (path.matches("/v0/runs/[^/]+/actions")) {
        if (actionsStatus != 200) {
          send(ex, actionsStatus, "{\"error\":\"runtime state is no longer available\",\"data\":null,\"status\":"
              + actionsStatus + "}");
        } else if (actionsBody != null) {
          send(ex, 200, actionsBody);
        } else {
          send(ex, 200, Json.mapper().writeValueAsString(state));
        }
      } else if (path.startsWith("/e/")) {
        JsonNode events = Json.parse(body);
        int n = events.isArray() ? events.size() : 1;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
          ids.add("01JEVENT0000000000000000" + String.format("%02d", i));
        }
        ObjectNode answer = Json.mapper().createObjectNode().put("status", 200);
        answer.putPOJO("ids", ids);
        send(ex, 200, Json.mapper().writeValueAsString(answer));
      } else {
        send(ex, 404, "{\"error\":\"not found\",\"data\":null,\"status\":404}");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      send(ex, 500, "");
    } catch (RuntimeException e) {
      send(ex, 500, "{\"error\":\"" + e.getMessage() + "\"}");
    }
  }

  private static void send(HttpExchange ex, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Requests whose path matches, in arrival order. */
  List<Recorded> requestsTo(Predicate<String> path) {
    List<Recorded> out = new ArrayList<>();
    for (Recorded r : requests) {
      if (path.test(r.path())) {
        out.add(r);
      }
    }
    return out;
  }

  /** All ops checkpointed so far (create-run steps, then /steps), in arrival order. */
  List<JsonNode> checkpointedOps() {
    List<JsonNode> ops = new ArrayList<>();
    for (Recorded r : requests) {
      if (r.path().equals("/v1/checkpoint") || r.path().endsWith("/steps")) {
        r.json().path("steps").forEach(ops::add);
      }
    }
    return ops;
  }

  /** Waits until {@code condition} holds, failing after {@code timeout}. */
  synchronized void await(Duration timeout, Predicate<StandInOrchestrator> condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.test(this)) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        throw new AssertionError("condition not met within " + timeout + "; requests: " + describe());
      }
      TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
    }
  }

  String describe() {
    StringBuilder sb = new StringBuilder();
    for (Recorded r : requests) {
      sb.append("\n  ").append(r.method()).append(' ').append(r.path()).append(' ')
          .append(new String(r.body(), StandardCharsets.UTF_8));
    }
    return sb.toString();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
