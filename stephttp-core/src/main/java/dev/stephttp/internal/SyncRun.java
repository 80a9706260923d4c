package dev.stephttp.internal;

import com.github.f4b6a3.ulid.UlidCreator;
import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.HttpRequestData;
import dev.stephttp.internal.wire.TriggerEvent;
import java.util.List;
import java.util.Objects;

/**
 * One user request's run in the sync phase (docs/how-it-works.md): the execution its handler runs
 * in and the checkpoint stream the execution's ops go to. The integration supplies the HTTP
 * request the run started from and the handler's result; the run builds the create-run request
 * around the first ops and the closing {@code RunComplete}, so a step flows from the integration
 * through core to the wire. The execution is confined to the request's thread; the rest is
 * thread-safe.
 */
public final class SyncRun {
  private final String runId;
  private final long receivedAt;
  private final HttpRequestData request;
  private final RunCheckpoints checkpoints;
  private final Execution execution;

  private SyncRun(CheckpointPipeline pipeline, HttpRequestData request, long receivedAt) {
    this.runId = UlidCreator.getMonotonicUlid().toString();
    this.receivedAt = receivedAt;
    this.request = request;
    this.checkpoints = pipeline.open(runId, this::createRun);
    this.execution = Execution.sync(runId, checkpoints, pipeline.client());
  }

  /**
   * Starts the run of a user's request with a new run ID; {@code request} is recorded by the
   * create-run call, with the function ID and, unless omitted, the body the handler's options give.
   */
  public static SyncRun start(CheckpointPipeline pipeline, HttpRequestData request) {
    return new SyncRun(Objects.requireNonNull(pipeline, "pipeline == null"),
        Objects.requireNonNull(request, "request == null"), System.currentTimeMillis());
  }

  public String runId() {
    return runId;
  }

  /** When the request arrived, in unix milliseconds. */
  public long receivedAt() {
    return receivedAt;
  }

  /** The request the run started from, as the integration supplied it. */
  public HttpRequestData request() {
    return request;
  }

  public Execution execution() {
    return execution;
  }

  public RunCheckpoints checkpoints() {
    return checkpoints;
  }

  /** The create-run request around the run's first ops (docs/protocol.md §2.1). */
  CreateRunRequest createRun(List<GeneratorOpcode> firstOps) {
    RunOptions options = execution.options();
    HttpRequestData r = request;
    HttpRequestData data = new HttpRequestData(r.domain(), r.method(), r.path(), options.functionId(), r.ip(),
        r.contentType(), r.queryParams(), options.omitRequestBody() ? "" : r.body());
    TriggerEvent event = new TriggerEvent(TriggerEvent.HTTP_REQUEST, data, null, receivedAt, null, null);
    return new CreateRunRequest(runId, null, event, firstOps, 2, options.retries(), System.currentTimeMillis());
  }
}
