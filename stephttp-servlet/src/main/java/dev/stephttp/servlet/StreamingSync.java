package dev.stephttp.servlet;

import static dev.stephttp.internal.wire.GeneratorOpcode.runComplete;

import dev.stephttp.internal.Execution;
import dev.stephttp.internal.StepWrapper;
import dev.stephttp.internal.Suspension;
import dev.stephttp.internal.SyncRun;
import dev.stephttp.internal.wire.ApiResult;
import dev.stephttp.internal.wire.CreateRunResponse;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync phase of a request that asks for a stream ({@code Accept: text/event-stream},
 * docs/protocol.md §2.7): the caller's connection carries the run's events, and the handler's own
 * answer — status, headers, body — travels inside the last one, {@code inngest.response}. At the
 * async switch the stream ends with {@code inngest.redirect_info}, naming the realtime relay where
 * the caller follows the rest of the run. Thread-safe.
 */
final class StreamingSync {
  private static final Logger log = LoggerFactory.getLogger(StreamingSync.class);

  private final SyncPhase sync;
  private final StepHttpConfig config;
  private final String redirectBase;
  private final Suspensions suspensions;

  StreamingSync(SyncPhase sync, StepHttpConfig config, String redirectBase, Suspensions suspensions) {
    this.sync = sync;
    this.config = config;
    this.redirectBase = redirectBase;
    this.suspensions = suspensions;
  }

  /** Whether the caller asked for a stream. */
  static boolean wanted(CapturedRequest request) {
    String accept = request.getHeader("Accept");
    return accept != null && accept.contains("text/event-stream");
  }

  void handle(CapturedRequest request, HttpServletResponse response, SyncRun run, DurableRequests.Handler handler)
      throws IOException, ServletException {
    long started = System.nanoTime();
    Execution execution = run.execution();
    CallerStream caller = new CallerStream(response, run.runId());
    ResponseStream stream = new ResponseStream(caller);
    execution.attach(ResponseStream.class, stream);
    execution.attach(StepWrapper.class, stream.steps());
    BufferedResponse captured = new BufferedResponse(new DetachedResponse(response), config.maxBufferedResponseBytes,
        false, () -> execution.suspension() != null);
    request.onStartAsync(() -> {
      throw new IllegalStateException("an async servlet cannot answer a request that asks for a stream"
          + " (Accept: text/event-stream)");
    });
    Throwable thrown = Suspensions.run(execution, request, captured, handler);
    Suspension suspension = execution.suspension();
    if (suspension != null) {
      suspensions.check(suspension, thrown, request);
      switchToAsync(run, response, caller, suspension);
      return;
    }
    if (thrown instanceof Exception) {
      ApiResult failed = sync.failureResult(run, request, (Exception) thrown, started);
      caller.end(SseEvents.response(failed, true));
      if (sync.recorded(run)) {
        run.checkpoints().finish(runComplete(failed), false);
      }
      return;
    }
    Suspensions.rethrowError(thrown);
    if (captured.overflowed()) {
      byte[] body = ErrorBodies.errors("response_too_large",
          "the handler's response exceeds maxBufferedResponseBytes (" + config.maxBufferedResponseBytes + " bytes)");
      ApiResult tooLarge = ApiResult.of(500, Map.of("content-type", "application/json"),
          new String(body, StandardCharsets.UTF_8));
      log.warn("run {}: the response of a streaming request exceeds maxBufferedResponseBytes", run.runId());
      caller.end(SseEvents.response(tooLarge, true));
      if (sync.recorded(run)) {
        run.checkpoints().finish(runComplete(tooLarge), false);
      }
      return;
    }
    ApiResult result = SyncPhase.result(run, captured, captured.getStatus(), started);
    caller.end(SseEvents.response(result, false));
    if (sync.recorded(run)) {
      run.checkpoints().finish(runComplete(result), false);
    }
  }

  /**
   * Waits until the orchestrator has the run, then ends the stream with where the caller follows
   * it; a run that cannot be recorded ends the stream (or the plain answer, if the stream has not
   * started) with the 503 the run is ended with.
   */
  private void switchToAsync(SyncRun run, HttpServletResponse response,
      CallerStream caller, Suspension suspension) throws IOException {
    String failure = null;
    boolean busy = suspension.reason() == Suspension.Reason.UNRECORDED;
    CreateRunResponse created = null;
    if (busy) {
      failure = "step '" + suspension.op().name() + "' could not be recorded within checkpointBackpressureTimeout";
    } else {
      try {
        created = run.checkpoints().durable().get(config.asyncSwitchTimeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (ExecutionException | TimeoutException e) {
        failure = String.valueOf((e instanceof ExecutionException ? e.getCause() : e).getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        failure = "interrupted";
      }
    }
    if (failure != null) {
      boolean streaming = caller.started();
      ApiResult refused = sync.switchFailed(run, streaming ? null : response, busy, failure);
      if (streaming) {
        caller.end(SseEvents.response(refused, true));
      }
      return;
    }
    String realtime = created.realtimeToken();
    if (realtime == null || realtime.isBlank()) {
      log.warn("run {}: the orchestrator returned no realtime token; the caller's stream ends at the async switch"
          + " without a place to follow the run", run.runId());
      caller.end(new byte[0]);
      return;
    }
    String url = redirectBase + "/v1/realtime/sse?token=" + URLEncoder.encode(realtime, StandardCharsets.UTF_8);
    caller.end(SseEvents.redirect(run.runId(), url));
  }
}
