package dev.stephttp.internal;

import com.github.f4b6a3.ulid.Ulid;
import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.HttpRequestData;
import dev.stephttp.internal.wire.TriggerEvent;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * One user request's run in the sync phase (docs/how-it-works.md): the execution its handler runs
 * in and the checkpoint stream the execution's ops go to. The integration supplies the HTTP
 * request the run started from; the run builds the create-run request around the first ops, so a
 * step flows from the integration through core to the wire. Starting a run is cheap: the request
 * is read only when the run needs it, at its first op (a request that calls no step is never
 * read), and so is its checkpoint stream, opened at the first op or when asked. The execution and
 * {@link #request()} are confined to the request's thread; the rest is thread-safe.
 */
public final class SyncRun {
  private final String runId;
  private final long receivedAt;
  private final Supplier<HttpRequestData> source;
  /** Read from {@link #source} on the request's thread; read by the sender thread for create-run. */
  private volatile HttpRequestData request;
  private final CheckpointPipeline pipeline;
  /** Opened by {@link #checkpoints()}: at the first op, or when the integration asks. */
  private volatile RunCheckpoints checkpoints;
  private final Execution execution;

  private SyncRun(CheckpointPipeline pipeline, StepThreads threads, Supplier<HttpRequestData> source,
      long receivedAt) {
    // docs/protocol.md §1: any ULID will do, monotonic or not; this one takes no lock.
    this.runId = Ulid.fast().toString();
    this.receivedAt = receivedAt;
    this.source = source;
    this.pipeline = pipeline;
    this.execution = Execution.sync(runId, this::emit, pipeline.client(), threads);
  }

  /**
   * Starts the run of a user's request with a new run ID. {@code request} is called once, on the
   * request's thread, when the run first needs it (its first op, or {@link #request()}); what it
   * returns is recorded by the create-run call, with the function ID and, unless omitted, the body
   * that the handler's options give. Parallel steps run on {@code threads}.
   */
  public static SyncRun start(CheckpointPipeline pipeline, StepThreads threads, Supplier<HttpRequestData> request) {
    return new SyncRun(Objects.requireNonNull(pipeline, "pipeline == null"), threads,
        Objects.requireNonNull(request, "request == null"), System.currentTimeMillis());
  }

  public String runId() {
    return runId;
  }

  /** When the request arrived, in unix milliseconds. */
  public long receivedAt() {
    return receivedAt;
  }

  /**
   * The request the run started from, as the integration supplies it; read at the first call,
   * which must be on the request's thread (a run that ends without an op must call it before it
   * ends, so that its create-run never reads the request from another thread).
   */
  public HttpRequestData request() {
    HttpRequestData r = request;
    if (r == null) {
      r = Objects.requireNonNull(source.get(), "the integration supplied no request data");
      request = r;
    }
    return r;
  }

  public Execution execution() {
    return execution;
  }

  /** The run's checkpoint stream, opened at the first call (from any thread). */
  public RunCheckpoints checkpoints() {
    RunCheckpoints c = checkpoints;
    if (c == null) {
      synchronized (this) {
        c = checkpoints;
        if (c == null) {
          c = pipeline.open(runId, this::createRun);
          checkpoints = c;
        }
      }
    }
    return c;
  }

  /** {@link RunCheckpoints#emit}, the run's request read first, on the request's thread. */
  private boolean emit(GeneratorOpcode op) {
    request();
    return checkpoints().emit(op);
  }

  /** The create-run request around the run's first ops (docs/protocol.md §2.1). */
  CreateRunRequest createRun(List<GeneratorOpcode> firstOps) {
    RunOptions options = execution.options();
    HttpRequestData r = Objects.requireNonNull(request, "request() was not read before the run's first op");
    HttpRequestData data = new HttpRequestData(r.domain(), r.method(), r.path(), options.functionId(), r.ip(),
        r.contentType(), r.queryParams(), options.omitRequestBody() ? "" : r.body());
    TriggerEvent event = new TriggerEvent(TriggerEvent.HTTP_REQUEST, data, null, receivedAt, null, null);
    return new CreateRunRequest(runId, null, event, firstOps, 2, options.retries(), System.currentTimeMillis());
  }
}
