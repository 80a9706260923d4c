package dev.stephttp.internal;

import dev.stephttp.internal.wire.CreateRunRequest;
import dev.stephttp.internal.wire.CreateRunResponse;
import dev.stephttp.internal.wire.GeneratorOpcode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint stream of one run in the sync phase: ops in order, batched, one call in flight.
 * The first ops linger ({@link CheckpointPipeline}): they are sent when the request ends, when the
 * run must be durable, or when the linger passes, whichever comes first. Thread-safe.
 */
public final class RunCheckpoints implements OpSink {
  private static final Logger log = LoggerFactory.getLogger(RunCheckpoints.class);
  /**
   * Pauses before the run's last op is tried again, each try being a full client call with its own
   * attempts: the request has ended, so nothing waits for it, and giving up early would leave the
   * run running at the orchestrator (about two minutes in all).
   */
  private static final Duration[] LAST_OP_RETRIES = {Duration.ofSeconds(1), Duration.ofSeconds(2),
      Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

  private final CheckpointPipeline pipeline;
  private final String runId;
  private final Function<List<GeneratorOpcode>, CreateRunRequest> creator;
  private final List<GeneratorOpcode> pending = new ArrayList<>();
  private final List<Waiter> waiters = new ArrayList<>();
  private boolean inFlight;
  /** The first ops wait for the rest of the request; {@link #lingerTimer} sends them if it lasts. */
  private boolean lingering;
  private ScheduledFuture<?> lingerTimer;
  private long emitted;
  private long acknowledged;
  private CreateRunResponse created;
  private RuntimeException failure;
  /** Set once ops were given up; unlike {@link #failure}, never cleared. */
  private boolean lost;
  /** The create-run request as first sent; repeated as it was, so that the orchestrator can dedupe. */
  private CreateRunRequest createRequest;
  private boolean finished;
  private GeneratorOpcode last;
  private int lastAttempts;

  RunCheckpoints(
      CheckpointPipeline pipeline, String runId, Function<List<GeneratorOpcode>, CreateRunRequest> creator) {
    this.pipeline = pipeline;
    this.runId = runId;
    this.creator = creator;
  }

  public String runId() {
    return runId;
  }

  /**
   * Queues an op without waiting for the network; when the queue is full, waits for room
   * (backpressure). Returns false when the orchestrator stayed busy past the bound: the op is not
   * queued and the caller must not answer as if the run were recorded.
   */
  @Override
  public boolean emit(GeneratorOpcode op) {
    synchronized (this) {
      if (failure != null || finished) {
        return true; // already given up (orchestrator down) or ended: nothing more is sent
      }
    }
    switch (pipeline.reserve(1)) {
      case ORCHESTRATOR_DOWN:
        fail(new OrchestratorException("checkpoint queue is full and the orchestrator is not answering", -1, null));
        return true;
      case BUSY:
        log.warn("run {}: the orchestrator stayed busy past the backpressure timeout; the run is not recorded and"
            + " the request is answered 503", runId);
        return false;
      default:
        break;
    }
    boolean start = false;
    synchronized (this) {
      if (failure != null) {
        pipeline.release(1);
        return true;
      }
      pending.add(op);
      emitted++;
      if (!inFlight && !lingering) {
        if (createRequest == null) {
          lingerTimer = pipeline.linger(this);
          lingering = lingerTimer != null;
        }
        start = !lingering;
        inFlight = start;
      }
    }
    if (start) {
      pipeline.submit(this::drain);
    }
    return true;
  }

  /** Ends the linger: what is pending is sent now. */
  void flush() {
    boolean start;
    synchronized (this) {
      if (!lingering) {
        return;
      }
      endLinger();
      start = !inFlight && !pending.isEmpty() && failure == null;
      inFlight |= start;
    }
    if (start) {
      pipeline.submit(this::drain);
    }
  }

  /** Under the lock. */
  private void endLinger() {
    lingering = false;
    if (lingerTimer != null) {
      lingerTimer.cancel(false);
      lingerTimer = null;
    }
    pipeline.lingerEnded(this);
  }

  /**
   * Queues the run's last op from this request (its {@code RunComplete}) and delivers it even when
   * earlier checkpoints failed, so that a request that has ended never leaves its run running at
   * the orchestrator: if the create-run call may have reached the orchestrator, it is repeated as
   * it was (create-run is idempotent on the run ID) and the last op follows. With {@code
   * discardUnsent}, ops not sent yet are dropped first (the async switch failed and the user was
   * told to retry: the run is ended, not continued), and if nothing was ever sent, nothing is: the
   * run never existed. Later {@link #emit} calls are ignored.
   */
  public void finish(GeneratorOpcode last, boolean discardUnsent) {
    boolean start;
    int dropped = 0;
    synchronized (this) {
      if (finished) {
        return;
      }
      finished = true;
      if (discardUnsent) {
        dropped = pending.size();
        pending.clear();
        if (createRequest == null) {
          pipeline.release(dropped);
          return; // nothing was sent: there is no run to end
        }
      }
      if (failure != null) {
        if (createRequest == null || (created == null && neverArrived(failure))) {
          return; // nothing ever reached the orchestrator: there is no run to end
        }
        failure = null; // one more attempt, for the last op
      }
      pending.add(last);
      this.last = last;
      emitted++;
      if (lingering) {
        endLinger(); // the request has ended: everything goes now, in one call if nothing went yet
      }
      start = !inFlight;
      inFlight = true;
    }
    // Frees the dropped ops and takes one place for the last op without waiting: a full queue
    // must not refuse the op that keeps the run from being orphaned.
    pipeline.release(dropped - 1);
    if (start) {
      pipeline.submit(this::drain);
    }
  }

  /** Whether checkpoints of this run were given up (the orchestrator was down): its record is incomplete. */
  public synchronized boolean lostOps() {
    return lost;
  }

  /**
   * Completes with the create-run answer once every op emitted so far is acknowledged, or
   * exceptionally when they cannot be made durable.
   */
  public CompletableFuture<CreateRunResponse> durable() {
    CompletableFuture<CreateRunResponse> f;
    synchronized (this) {
      if (failure != null) {
        return CompletableFuture.failedFuture(failure);
      }
      if (acknowledged >= emitted && created != null) {
        return CompletableFuture.completedFuture(created);
      }
      f = new CompletableFuture<>();
      waiters.add(new Waiter(emitted, f));
    }
    flush(); // someone waits: no more lingering
    return f;
  }

  private void drain() {
    while (true) {
      List<GeneratorOpcode> batch;
      CreateRunResponse run;
      CreateRunRequest sent;
      CreateRunRequest toCreate = null;
      synchronized (this) {
        if (pending.isEmpty() || failure != null) {
          inFlight = false;
          return;
        }
        batch = new ArrayList<>(pending);
        pending.clear();
        run = created;
        sent = createRequest;
        if (run == null && sent == null) {
          toCreate = creator.apply(batch);
          createRequest = toCreate;
        }
      }
      try {
        OrchestratorClient client = pipeline.client();
        if (toCreate != null) {
          run = client.createRun(toCreate);
        } else {
          if (run == null) {
            run = client.createRun(sent); // an earlier attempt failed; its ops are in this same request
          }
          client.checkpointSteps(runId, run.fnId(), run.appId(), batch);
        }
      } catch (RuntimeException e) {
        Duration pause = null;
        synchronized (this) {
          // Once the request has ended, a run that may exist is never given up early.
          if (finished && lastAttempts < LAST_OP_RETRIES.length && (created != null || !neverArrived(e))) {
            pause = LAST_OP_RETRIES[lastAttempts++];
            pending.addAll(0, batch); // still queued, still in flight: tried again after the pause
          }
        }
        if (pause != null) {
          log.debug("run {}: its last checkpoint failed ({}); trying again in {}", runId, e.getMessage(), pause);
          pipeline.submitLater(this::drain, pause);
          return;
        }
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
    boolean firstLoss;
    synchronized (this) {
      if (failure != null) {
        return;
      }
      failure = e;
      if (lingering) {
        endLinger();
      }
      firstLoss = !lost;
      lost = true;
      toFail = new ArrayList<>(waiters);
      waiters.clear();
      dropped = pending.size();
      pending.clear();
      inFlight = false;
    }
    pipeline.release(dropped);
    if (firstLoss) {
      pipeline.countDropped();
    }
    // One warning per run: observability is lost, the user's request is not (docs/how-it-works.md).
    log.warn("run {}: checkpoints dropped, the orchestrator could not be reached: {}", runId, e.getMessage());
    for (Waiter w : toFail) {
      w.future().completeExceptionally(e);
    }
  }

  /** Whether the failed create-run certainly created nothing (see {@link OrchestratorException#mayHaveArrived}). */
  private static boolean neverArrived(RuntimeException failure) {
    return failure instanceof OrchestratorException oe && !oe.mayHaveArrived();
  }

  private record Waiter(long target, CompletableFuture<CreateRunResponse> future) {}
}
