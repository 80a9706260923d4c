package dev.stephttp.internal;

import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.CreateRunResponse;
import dev.stephttp.internal.wire.GeneratorOpcode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint stream of one run in the sync phase: ops in order, batched, one call in flight.
 * Thread-safe.
 */
public final class RunCheckpoints implements OpSink {
  private static final Logger log = LoggerFactory.getLogger(RunCheckpoints.class);

  private final CheckpointPipeline pipeline;
  private final String runId;
  private final Function<List<GeneratorOpcode>, CreateRunRequest> creator;
  private final List<GeneratorOpcode> pending = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean inFlight;
  private long emitted;
  private long acknowledged;
  private CreateRunResponse created;
  private RuntimeException failure;

  RunCheckpoints(
      CheckpointPipeline pipeline, String runId, Function<List<GeneratorOpcode>, CreateRunRequest> creator) {
    this.pipeline = pipeline;
    this.runId = runId;
    this.creator = creator;
  }

  public String runId() {
    return runId;
  }

  /** Queues an op without waiting for the network. */
  @Override
  public void emit(GeneratorOpcode op) {
    synchronized (this) {
      if (failure != null) {
        return;
      }
    }
    if (!pipeline.reserve(1)) {
      fail(new OrchestratorException("checkpoint queue is full; the orchestrator is too slow or down", -1, null));
      return;
    }
    boolean start;
    synchronized (this) {
      if (failure != null) {
        pipeline.release(1);
        return;
      }
      pending.add(op);
      emitted++;
      start = !inFlight;
      inFlight = true;
    }
    if (start) {
      pipeline.submit(this::drain);
    }
  }

  /** Whether any op was emitted, i.e. the run exists (or is being created) at the orchestrator. */
  public synchronized boolean started() {
    return emitted > 0;
  }

  /**
   * Completes with the create-run answer once every op emitted so far is acknowledged, or
   * exceptionally when they cannot be made durable.
   */
  public CompletableFuture<CreateRunResponse> durable() {
    synchronized (this) {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (acknowledged >= emitted && created != null) {
        return CompletableFuture.completedFuture(created);
      }
      CompletableFuture<CreateRunResponse> f = new CompletableFuture<>();
      waiters.add(new Waiter(emitted, f));
      return f;
    }
  }

  private void drain() {
    while (true) {
      List<GeneratorOpcode> batch;
      CreateRunResponse run;
      synchronized (this) {
        if (pending.isEmpty() || failure != null) {
          inFlight = false;
          return;
        }
        batch = new ArrayList<>(pending);
        pending.clear();
        run = created;
      }
      try {
        OrchestratorClient client = pipeline.client();
        if (run == null) {
          run = client.createRun(creator.apply(batch));
        } else {
          client.checkpointSteps(runId, run.fnId(), run.appId(), batch);
        }
      } catch (RuntimeException e) {
        pipeline.release(batch.size());
        fail(e);
        return;
      }
      pipeline.release(batch.size());
      List<Waiter> done = new ArrayList<>();
      synchronized (this) {
        created = run;
        acknowledged += batch.size();
        waiters.removeIf(w -> {
          if (w.target() <= acknowledged) {
            done.add(w);
            return true;
          }
          return false;
        });
      }
      for (Waiter w : done) {
        w.future().complete(run);
      }
    }
  }

  private void fail(RuntimeException e) {
    List<Waiter> toFail;
    int dropped;
    synchronized (this) {
      if (failure != null) {
        return;
      }
      failure = e;
      toFail = new ArrayList<>(waiters);
      waiters.clear();
      dropped = pending.size();
      pending.clear();
      inFlight = false;
    }
    pipeline.release(dropped);
    // One warning per run: observability is lost, the user's request is not (docs/how-it-works.md).
    log.warn("run {}: checkpoints dropped, the orchestrator could not be reached: {}", runId, e.getMessage());
    for (Waiter w : toFail) {
      w.future().completeExceptionally(e);
    }
  }

  private record Waiter(long target, CompletableFuture<CreateRunResponse> future) {}
}
