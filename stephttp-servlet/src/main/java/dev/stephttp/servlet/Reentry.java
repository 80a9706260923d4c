package dev.stephttp.servlet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.stephttp.NonRetriableException;
import dev.stephttp.StepFailedException;
import dev.stephttp.internal.Execution;
import dev.stephttp.internal.OrchestratorClient;
import dev.stephttp.internal.Sdk;
import dev.stephttp.internal.StepThreads;
import dev.stephttp.internal.StepWrapper;
import dev.stephttp.internal.Suspension;
import dev.stephttp.internal.wire.ApiResult;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.Opcode;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A re-entry by the orchestrator (docs/how-it-works.md; docs/protocol.md §5.4–§5.5): fetches the
 * memoized state, replays the handler, and answers {@code 206} with the one new op, or with {@code
 * [RunComplete]} carrying the handler's captured response. Thread-safe.
 */
final class Reentry {
  private static final Logger log = LoggerFactory.getLogger(Reentry.class);
  /** Largest response a re-entry reports: the orchestrator's step output limit (§9.6). */
  static final int MAX_REPORTED_BODY = 4 << 20;

  private final OrchestratorClient client;
  private final StepThreads threads;
  private final Suspensions suspensions;

  Reentry(OrchestratorClient client, StepThreads threads, Suspensions suspensions) {
    this.client = client;
    this.threads = threads;
    this.suspensions = suspensions;
  }

  void handle(String runId, CapturedRequest request, HttpServletResponse response, DurableRequests.Handler handler)
      throws IOException {
    long started = System.nanoTime();
    Map<String, JsonNode> memo;
    try {
      memo = client.actions(runId);
    } catch (RuntimeException e) {
      // Retriable for the orchestrator (5xx with the SDK header): nothing ran, nothing is lost.
      log.warn("run {}: could not load its state, the re-entry will be retried: {}", runId, e.getMessage());
      answer(response, runId, 500, ErrorBodies.errors("state_unavailable",
          "could not load the run's state: " + e.getMessage()), false);
      return;
    }
    String target = request.getHeader("X-Inngest-Step-ID");
    if (target != null && (target.isBlank() || target.equals("step"))) {
      target = null;
    }
    // docs/protocol.md §5.1: set while planned parallel steps are pending; a group then plans its last one too.
    boolean forcePlan = "true".equalsIgnoreCase(request.getHeader("X-Inngest-Force-Step-Plan"));
    Execution execution = Execution.reentry(runId, memo, target, forcePlan, client, threads);
    RelayUpload relay = new RelayUpload(client, runId); // docs/protocol.md §2.7
    ResponseStream stream = new ResponseStream(relay);
    execution.attach(ResponseStream.class, stream);
    execution.attach(StepWrapper.class, stream.steps());
    BufferedResponse buffered = new BufferedResponse(response, MAX_REPORTED_BODY, false,
        () -> execution.suspension() != null);
    Throwable thrown = Suspensions.run(execution, request, buffered, handler);
    Suspension suspension = execution.suspension();
    if (suspension != null) {
      relay.end();
      suspensions.check(suspension, thrown, request);
      suspended(runId, response, execution, suspension);
      return;
    }
    // Containers and frameworks wrap what a handler throws: look for the user's own failure.
    NonRetriableException nonRetriable = Suspensions.find(thrown, NonRetriableException.class);
    if (nonRetriable != null) {
      log.warn("run {}: the handler failed without retry: {}", runId, nonRetriable.toString());
      relay.fail(nonRetriable.getMessage());
      answer(response, runId, 400, errorObject(nonRetriable), true);
      return;
    }
    // A step that finally failed earlier fails the same way on every retry: answer it as final.
    // (A step that newly fails in a re-entry suspends with its op, so it never gets here.)
    StepFailedException replayed = replayedFailure(thrown, execution);
    if (replayed != null) {
      log.warn("run {}: the handler let a step's recorded failure propagate; the run fails without retry: {}",
          runId, replayed.getMessage());
      relay.fail(replayed.getMessage());
      answer(response, runId, 400, errorObject(replayed), true);
      return;
    }
    if (thrown instanceof Exception) {
      log.error("run {}: the handler failed during a re-entry; the orchestrator will retry", runId, thrown);
      relay.end();
      answer(response, runId, 500, errorObject(Suspensions.unwrap(thrown)), false);
      return;
    }
    if (thrown != null) {
      relay.end();
    }
    Suspensions.rethrowError(thrown);
    if (buffered.overflowed()) {
      log.error("run {}: the handler's response exceeds {} bytes and cannot be recorded", runId, MAX_REPORTED_BODY);
      relay.fail("the handler's response exceeds " + MAX_REPORTED_BODY + " bytes");
      answer(response, runId, 400, ErrorBodies.errors("response_too_large",
          "the handler's response exceeds " + MAX_REPORTED_BODY + " bytes"), true);
      return;
    }
    byte[] body = buffered.bodyCopy();
    String text = execution.options().omitResponseBody() ? null : new String(body, StandardCharsets.UTF_8);
    ApiResult result = new ApiResult(buffered.getStatus(), buffered.headers(), text, System.nanoTime() - started,
        null, null);
    relay.respond(result, false);
    relay.endLast();
    ArrayNode ops = Json.mapper().createArrayNode().add(Json.mapper().valueToTree(GeneratorOpcode.runComplete(result)));
    answer(response, runId, 206, Json.write(ops), null);
  }

  private void suspended(String runId, HttpServletResponse response, Execution execution, Suspension s)
      throws IOException {
    if (s.reason() == Suspension.Reason.TARGET_NOT_FOUND) {
      ObjectNode body = Json.mapper().createObjectNode()
          .put("error", "Could not find step " + execution.targetStepId())
          .put("requestedStep", execution.targetStepId());
      body.putPOJO("foundSteps", execution.visitedSteps());
      body.put("totalFoundSteps", execution.visitedSteps().size());
      answer(response, runId, 500, Json.write(body), false);
      return;
    }
    GeneratorOpcode op = s.op();
    ArrayNode ops = Json.mapper().createArrayNode();
    s.ops().forEach(o -> ops.add(Json.mapper().valueToTree(o)));
    Boolean noRetry = op.op() == Opcode.STEP_ERROR ? Boolean.FALSE : null;
    answer(response, runId, 206, Json.write(ops), noRetry);
  }

  /** The failure replayed from the run's state in {@code thrown}'s cause chain, or null. */
  private static StepFailedException replayedFailure(Throwable thrown, Execution execution) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
      if (t instanceof StepFailedException failure && execution.isReplayedFailure(failure)) {
        return failure;
      }
    }
    return null;
  }

  private static byte[] errorObject(Throwable e) {
    // No stack trace leaves the process; the log has it.
    ObjectNode body = Json.mapper().createObjectNode()
        .put("name", e.getClass().getSimpleName())
        .put("message", String.valueOf(e.getMessage()));
    return Json.write(body);
  }

  private void answer(HttpServletResponse response, String runId, int status, byte[] body, Boolean noRetry)
      throws IOException {
    response.reset();
    response.setHeader("X-Run-ID", runId);
    response.setHeader("X-Inngest-SDK", Sdk.HEADER_VALUE);
    response.setHeader("x-inngest-req-version", "2");
    if (noRetry != null) {
      response.setHeader("x-inngest-no-retry", noRetry.toString());
    }
    ErrorBodies.write(response, status, body);
  }

}
