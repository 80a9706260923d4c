package dev.stephttp.servlet;

import static dev.stephttp.internal.wire.GeneratorOpcode.runComplete;

import dev.stephttp.internal.CheckpointPipeline;
import dev.stephttp.internal.Execution;
import dev.stephttp.internal.Sdk;
import dev.stephttp.internal.StepThreads;
import dev.stephttp.internal.Suspension;
import dev.stephttp.internal.SyncRun;
import dev.stephttp.internal.wire.ApiResult;
import dev.stephttp.internal.wire.CreateRunResponse;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.HttpRequestData;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The user's own request (docs/how-it-works.md): runs the handler with steps executing
 * inline, answers with the handler's response and records the run in the background, or switches
 * to async and answers with a redirect, a token or a custom response. Thread-safe.
 */
final class SyncPhase {
  private static final Logger log = LoggerFactory.getLogger(SyncPhase.class);
  private static final String UNAVAILABLE = "orchestrator_unavailable";
  private static final String BUSY = "orchestrator_busy";
  private static final String ASYNC_NOT_RECORDED =
      "The request needs to continue asynchronously, but the orchestrator could not record it. Retry later.";
  private static final String NOT_RECORDED = "The orchestrator could not confirm that this request was recorded. Retry later.";
  private static final String BUSY_MESSAGE = "The orchestrator is too busy to record this request. Retry later.";

  private final StepHttpConfig config;
  private final CallbackOrigin origin;
  private final CheckpointPipeline pipeline;
  private final StepThreads threads;
  private final String redirectBase;
  private final Suspensions suspensions;
  private final StreamingSync streaming;

  SyncPhase(StepHttpConfig config, CallbackOrigin origin, CheckpointPipeline pipeline, StepThreads threads,
      String redirectBase, Suspensions suspensions) {
    this.config = config;
    this.origin = origin;
    this.pipeline = pipeline;
    this.threads = threads;
    this.redirectBase = redirectBase;
    this.suspensions = suspensions;
    this.streaming = new StreamingSync(this, config, redirectBase, suspensions);
  }

  void handle(CapturedRequest request, HttpServletResponse response, DurableRequests.Handler handler)
      throws IOException, ServletException {
    long started = System.nanoTime();
    // A forward may change what these return (Undertow changes the request itself): taken now.
    String method = request.getMethod();
    String path = request.getRequestURI();
    String query = request.getQueryString();
    // docs/how-it-works.md: the rest of the request, its body included, is read at the run's first op.
    SyncRun run = SyncRun.start(pipeline, threads, () -> requestData(request, method, path, query));
    if (config.trackAllEndpoints) {
      run.request(); // every request is recorded: read it while it is surely readable
    }
    stamp(response, run.runId());
    if (StreamingSync.wanted(request)) {
      streaming.handle(request, response, run, handler); // docs/protocol.md §2.7
      return;
    }
    Execution execution = run.execution();
    BufferedResponse buffered = new BufferedResponse(response, config.maxBufferedResponseBytes, true,
        () -> execution.suspension() != null);
    request.onStartAsync(() -> {
      try {
        buffered.passThrough();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
    Throwable thrown = Suspensions.run(execution, request, buffered, handler);
    // docs/how-it-works.md: the execution's record decides, whatever reached us (wrapped, swallowed, other).
    Suspension suspension = execution.suspension();
    if (suspension != null) {
      suspensions.check(suspension, thrown, request);
      switchToAsync(run, request, response, buffered, suspension);
      return;
    }
    if (thrown instanceof Exception) {
      handlerFailed(run, request, response, buffered, started, (Exception) thrown);
      return;
    }
    Suspensions.rethrowError(thrown);
    if (request.isAsyncStarted()) {
      completeWhenAsyncEnds(run, request, buffered, started);
      return;
    }
    if (config.durableResponses && recorded(run) && !buffered.released()) {
      respondOnceDurable(run, response, buffered, started);
      return;
    }
    buffered.finish();
    // docs/how-it-works.md: the user's response goes out before RunComplete is queued.
    response.flushBuffer();
    complete(run, buffered, response.getStatus(), started);
  }

  /**
   * docs/how-it-works.md, durable responses: the handler's answer is held until every checkpoint of
   * the run, its completion included, is acknowledged; a run that cannot be recorded in time is
   * answered 503 instead, so a 200 always names a stored run.
   */
  private void respondOnceDurable(SyncRun run, HttpServletResponse response,
      BufferedResponse buffered, long started) throws IOException {
    if (run.checkpoints().lostOps()) {
      buffered.discard();
      response.reset();
      stamp(response, run.runId());
      unavailable(run, response, UNAVAILABLE, NOT_RECORDED, "checkpoints of the run were dropped");
      return;
    }
    run.checkpoints().finish(runComplete(result(run, buffered, buffered.getStatus(), started)), false);
    String failure;
    try {
      run.checkpoints().durable().get(config.asyncSwitchTimeout.toMillis(), TimeUnit.MILLISECONDS);
      buffered.finish();
      response.flushBuffer();
      return;
    } catch (ExecutionException | TimeoutException e) {
      failure = String.valueOf((e instanceof ExecutionException ? e.getCause() : e).getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      failure = "interrupted";
    }
    // The completion is on its way and may still arrive: the run may end up recorded with the answer
    // this user never saw (documented); what cannot happen is a 200 for a run that is not stored.
    log.warn("run {}: its checkpoints were not acknowledged within asyncSwitchTimeout ({}), answering 503: {}",
        run.runId(), config.asyncSwitchTimeout, failure);
    pipeline.countRefused();
    buffered.discard();
    response.reset();
    stamp(response, run.runId());
    response.setHeader("Retry-After", "5");
    ErrorBodies.write(response, 503, ErrorBodies.errors(UNAVAILABLE, NOT_RECORDED));
  }

  private void switchToAsync(SyncRun run, CapturedRequest request,
      HttpServletResponse response, BufferedResponse buffered, Suspension suspension) throws IOException {
    GeneratorOpcode op = suspension.op();
    if (suspension.reason() == Suspension.Reason.UNRECORDED) {
      // docs/how-it-works.md, backpressure: the run could not be recorded, so the user must not be told it was.
      String reason = "step '" + op.name() + "' could not be recorded within checkpointBackpressureTimeout";
      if (buffered.released()) {
        log.warn("run {}: the response was already committed; the client keeps the partial response", run.runId());
        unavailable(run, null, BUSY, BUSY_MESSAGE, reason);
        return;
      }
      buffered.discard();
      response.reset();
      stamp(response, run.runId());
      unavailable(run, response, BUSY, BUSY_MESSAGE, reason);
      return;
    }
    if (buffered.released()) {
      log.warn("run {}: the response was already committed when the handler reached {} '{}'; the run continues"
          + " in the background and the client keeps the partial response", run.runId(), op.op(), op.name());
      return;
    }
    buffered.discard();
    response.reset();
    stamp(response, run.runId());
    CreateRunResponse created;
    try {
      created = run.checkpoints().durable().get(config.asyncSwitchTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException | TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      unavailable(run, response, UNAVAILABLE, ASYNC_NOT_RECORDED, String.valueOf(cause.getMessage()));
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      unavailable(run, response, UNAVAILABLE, ASYNC_NOT_RECORDED, "interrupted");
      return;
    }
    if (created.token() == null || created.token().isBlank()) {
      unavailable(run, response, UNAVAILABLE, ASYNC_NOT_RECORDED, "the orchestrator returned no run-output token");
      return;
    }
    String outputUrl = redirectBase + "/v1/http/runs/" + run.runId() + "/output?token="
        + URLEncoder.encode(created.token(), StandardCharsets.UTF_8);
    AsyncResponse chosen = run.execution().attachment(AsyncResponse.class);
    AsyncResponse answer = chosen != null ? chosen : config.defaultAsyncResponse;
    try {
      answer.respond(new AsyncRun(run.runId(), created.token(), outputUrl), request, response);
    } catch (RuntimeException | IOException e) {
      log.error("run {}: the async response {} failed", run.runId(), answer, e);
      if (!response.isCommitted()) {
        response.reset();
        stamp(response, run.runId());
        ErrorBodies.write(response, 500, ErrorBodies.errors("async_response_failed",
            "The run continues in the background, but answering this request failed; run " + run.runId()));
      }
    }
  }

  /**
   * Answers 503 {@code code} with {@code message} (unless {@code response} is null: it was already
   * committed) and ends whatever of the run reached the orchestrator with that same answer.
   */
  private ApiResult unavailable(SyncRun run, @Nullable HttpServletResponse response,
      String code, String message, String reason) throws IOException {
    log.warn("run {}: could not be recorded at the orchestrator, answering 503: {}", run.runId(), reason);
    pipeline.countRefused();
    byte[] body = ErrorBodies.errors(code, message);
    // The user is told to retry, so this run must not go on: whatever of it may have reached the
    // orchestrator (a late create-run, a lost answer) is ended with the answer the user gets.
    // Queued before the answer is written, so that whoever sees the 503 also sees it queued.
    ApiResult result = new ApiResult(503, java.util.Map.of("content-type", "application/json", "retry-after", "5"),
        new String(body, StandardCharsets.UTF_8), (System.currentTimeMillis() - run.receivedAt()) * 1_000_000L,
        code.equals(BUSY) ? "OrchestratorBusy" : "OrchestratorUnavailable", null);
    run.checkpoints().finish(runComplete(result), true);
    if (response != null) {
      response.setHeader("Retry-After", "5");
      ErrorBodies.write(response, 503, body);
    }
    return result;
  }

  /** The async switch of a streaming request failed: {@link #unavailable} with the code that says why. */
  ApiResult switchFailed(SyncRun run, @Nullable HttpServletResponse response, boolean busy,
      String reason) throws IOException {
    return busy ? unavailable(run, response, BUSY, BUSY_MESSAGE, reason)
        : unavailable(run, response, UNAVAILABLE, ASYNC_NOT_RECORDED, reason);
  }

  private void handlerFailed(SyncRun run, CapturedRequest request,
      HttpServletResponse response, BufferedResponse buffered, long started, Exception e) throws IOException {
    ApiResult result = failureResult(run, request, e, started);
    if (!buffered.released()) {
      buffered.discard();
      response.reset();
      stamp(response, run.runId());
      ErrorBodies.write(response, 500, result.body().getBytes(StandardCharsets.UTF_8));
      response.flushBuffer();
    }
    if (recorded(run)) {
      run.checkpoints().finish(runComplete(result), false);
    }
  }

  /** Logs the handler's failure; the 500 the user gets, as the run records it. */
  ApiResult failureResult(SyncRun run, CapturedRequest request, Exception e, long started) {
    log.error("run {}: the handler of {} {} failed", run.runId(), request.getMethod(), request.getRequestURI(), e);
    byte[] body = ErrorBodies.errors("handler_failed", "The request handler failed; see the server log for run " + run.runId());
    return new ApiResult(500, java.util.Map.of("content-type", "application/json"), new String(body, StandardCharsets.UTF_8),
        System.nanoTime() - started, Suspensions.unwrap(e).getClass().getSimpleName(), null);
  }

  private void completeWhenAsyncEnds(SyncRun run, CapturedRequest request,
      BufferedResponse buffered, long started) {
    request.getAsyncContext().addListener(new AsyncListener() {
      @Override
      public void onComplete(AsyncEvent event) {
        HttpServletResponse r = (HttpServletResponse) event.getSuppliedResponse();
        complete(run, buffered, r == null ? buffered.getStatus() : r.getStatus(), started);
      }

      @Override
      public void onTimeout(AsyncEvent event) {}

      @Override
      public void onError(AsyncEvent event) {}

      @Override
      public void onStartAsync(AsyncEvent event) {}
    });
  }

  private void complete(SyncRun run, BufferedResponse buffered, int status, long started) {
    if (recorded(run)) {
      run.checkpoints().finish(runComplete(result(run, buffered, status, started)), false);
    }
  }

  /** Whether the run is sent to the orchestrator: docs/how-it-works.md, a run without steps is not recorded. */
  boolean recorded(SyncRun run) {
    return run.execution().producedOps() || config.trackAllEndpoints;
  }

  static ApiResult result(SyncRun run, BufferedResponse buffered, int status, long started) {
    byte[] body = buffered.bodyCopy();
    String text = null;
    if (!run.execution().options().omitResponseBody()) {
      if (body == null) {
        log.debug("run {}: response body larger than maxBufferedResponseBytes, not recorded", run.runId());
      } else {
        text = new String(body, StandardCharsets.UTF_8);
      }
    }
    return new ApiResult(status, buffered.headers(), text, System.nanoTime() - started, null, null);
  }

  /** Every response of a run names it (docs/how-it-works.md) and the library (docs/how-it-works.md). */
  private static void stamp(HttpServletResponse response, String runId) {
    response.setHeader("X-Run-ID", runId);
    response.setHeader("X-Inngest-SDK", Sdk.HEADER_VALUE);
  }

  /** The request as the run records it; reads the body if the handler has not. */
  private HttpRequestData requestData(CapturedRequest request, String method, String path, String query) {
    String domain = origin.of(request);
    String forwarded = request.getHeader("X-Forwarded-For");
    String ip = forwarded != null && !forwarded.isBlank() ? forwarded
        : request.getHeader("X-Real-IP") != null ? request.getHeader("X-Real-IP") : request.getRemoteAddr();
    String body = request.complete() ? new String(request.body(), StandardCharsets.UTF_8) : "";
    if (!request.complete() && request.getContentLengthLong() != 0) {
      log.info("{} {}: request body not captured (multipart, unreadable or above maxCapturedRequestBytes);"
          + " re-entries will see an empty body", method, path);
    }
    String contentType = request.getContentType() == null ? "" : request.getContentType();
    // Errata 14: the raw (encoded) request URI path.
    return new HttpRequestData(domain, method, path, "", ip == null ? "" : ip, contentType,
        query == null ? "" : query, body);
  }
}
