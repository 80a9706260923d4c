package dev.stephttp.orchestrator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.f4b6a3.ulid.UlidCreator;
import dev.stephttp.orchestrator.model.RunRecord;
import dev.stephttp.orchestrator.store.Reads;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Builders for create-run bodies as the Java client sends them, plus condition waits. */
final class Runs {
  private Runs() {}

  static String newRunId() {
    return UlidCreator.getMonotonicUlid().toString();
  }

  /** A request-version-2 create-run body for {@code GET <domain><path>}. */
  static ObjectNode create(String runId, String domain, String path, int retries,
      ObjectNode... ops) {
    ObjectNode body = JsonNodeFactory.instance.objectNode();
    body.put("run_id", runId);
    ObjectNode event = body.putObject("event");
    event.put("name", "inngest/http.request");
    ObjectNode data = event.putObject("data");
    data.put("domain", domain).put("method", "GET").put("path", path).put("fn", "")
        .put("ip", "").put("content_type", "").put("query_params", "").put("body", "");
    ArrayNode steps = body.putArray("steps");
    for (ObjectNode op : ops) {
      steps.add(op);
    }
    body.put("ts", System.currentTimeMillis());
    body.put("request_version", 2);
    body.put("retries", retries);
    return body;
  }

  static ObjectNode stepRun(String id, Object data) {
    ObjectNode op = FakeApp.op("StepRun", id);
    op.set("data", dev.stephttp.internal.wire.Json.mapper().valueToTree(data));
    return op;
  }

  static ObjectNode sleep(String id, String duration) {
    ObjectNode op = FakeApp.op("Sleep", id);
    op.putObject("opts").put("duration", duration);
    return op;
  }

  static ObjectNode waitFor(String id, String event, String timeout, String condition) {
    ObjectNode op = FakeApp.op("WaitForEvent", id);
    ObjectNode opts = op.putObject("opts").put("event", event).put("timeout", timeout);
    if (condition != null) {
      opts.put("if", condition);
    }
    return op;
  }

  static ObjectNode complete(int status, String body) {
    ObjectNode op = JsonNodeFactory.instance.objectNode();
    op.put("id", dev.stephttp.internal.wire.StepIds.COMPLETE_ID);
    op.put("op", "RunComplete");
    op.putObject("data").put("status", status).put("body", body)
        .putObject("headers").put("content-type", "text/plain");
    return op;
  }

  static java.util.Map<String, String> steps(Orchestrator o, String runId) {
    return o.store().read(tx -> tx.steps(runId));
  }

  static java.util.Map<String, Long> counts(Orchestrator o) {
    return o.store().read(Reads::counts);
  }

  static RunRecord run(Orchestrator o, String runId) {
    return o.store().read(tx -> tx.run(runId));
  }

  /** Waits for a condition with a bounded timeout (no fixed sleeps). */
  static void await(String what, Duration timeout, BooleanSupplier condition) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what);
      }
      Thread.onSpinWait();
      try {
        Thread.sleep(10); // polling granularity of the check, not a fixed wait
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted");
      }
    }
  }
}
