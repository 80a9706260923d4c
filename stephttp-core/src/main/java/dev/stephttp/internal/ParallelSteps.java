package dev.stephttp.internal;

import dev.stephttp.StepFailedException;
import dev.stephttp.StepFunction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One {@code Step.all} or {@code Step.race} call of an execution (docs/how-it-works.md, parallel
 * steps).
 *
 * <p>In the sync phase the members that are not memoized run at once on {@link StepThreads}, each
 * with the run bound to its thread (so {@code RunContext} works) but unable to call steps itself.
 * Only the functions run there: the handler's thread records each result as it arrives, in
 * finishing order, so the execution stays confined to that thread. In a re-entry a group follows
 * the {@code StepPlanned} protocol (docs/protocol.md §5.1, §6.1); a race runs its members at once
 * there too, and reports the winner.
 *
 * <p>Confined to the handler's thread.
 */
final class ParallelSteps {
  /** The ID of the group member running on this thread; steps cannot be called from there. */
  private static final ThreadLocal<String> MEMBER = new ThreadLocal<>();

  private final Execution execution;
  private final List<StepKey> keys;
  private final List<ParallelMember> members;

  ParallelSteps(Execution execution, List<StepKey> keys, List<ParallelMember> members) {
    this.execution = execution;
    this.keys = keys;
    this.members = members;
  }

  /** Throws when a step is called from inside a member of a parallel group. */
  static void rejectNested(String id) {
    String member = MEMBER.get();
    if (member != null) {
      throw new NestedStep("step '" + id + "' was called inside parallel step '" + member + "'; a step of"
          + " Step.all or Step.race cannot call steps: call them from the handler, before or after the group");
    }
  }

  /** Calling a step inside a member: a programming error, thrown to the handler, never recorded. */
  static final class NestedStep extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    NestedStep(String message) {
      super(message);
    }
  }

  List<Object> all() {
    Object[] values = new Object[members.size()];
    StepFailedException[] failures = new StepFailedException[members.size()];
    List<Integer> pending = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      if (!execution.memoized(keys.get(i))) {
        pending.add(i);
        continue;
      }
      try {
        values[i] = execution.replay(keys.get(i), members.get(i).type());
      } catch (StepFailedException e) {
        failures[i] = e;
      }
    }
    if (!pending.isEmpty()) {
      if (execution.mode() == Execution.Mode.REENTRY) {
        reenter(pending);
      }
      runAll(pending, values, failures);
    }
    for (StepFailedException f : failures) {
      if (f != null) {
        throw f; // the first in argument order, once every member has ended and been recorded
      }
    }
    return Collections.unmodifiableList(Arrays.asList(values));
  }

  Execution.Won race() {
    for (int i = 0; i < members.size(); i++) {
      if (execution.memoized(keys.get(i))) {
        return new Execution.Won(i, execution.replay(keys.get(i), members.get(i).type()));
      }
    }
    String target = execution.targetStepId();
    if (execution.mode() == Execution.Mode.REENTRY && target != null
        && keys.stream().noneMatch(k -> k.hash().equals(target))) {
      throw execution.targetMissing();
    }
    List<Integer> all = new ArrayList<>();
    for (int i = 0; i < members.size(); i++) {
      all.add(i);
    }
    BlockingQueue<Done> done = new LinkedBlockingQueue<>();
    List<Future<?>> running = start(all, done);
    Done first;
    try {
      first = take(done);
    } finally {
      running.forEach(f -> f.cancel(true)); // the losers are interrupted; their results are never used
    }
    return new Execution.Won(first.index(), execution.record(keys.get(first.index()), first.attempt()));
  }

  /** docs/protocol.md §5.1: a targeted re-entry runs its step; discovery plans the pending ones. */
  private void reenter(List<Integer> pending) {
    String target = execution.targetStepId();
    if (target != null) {
      for (int i : pending) {
        if (keys.get(i).hash().equals(target)) {
          execution.record(keys.get(i), checked(i, call(i))); // reports the op and suspends
        }
      }
      throw execution.targetMissing();
    }
    if (pending.size() == 1 && !execution.forcePlan()) {
      int i = pending.get(0);
      execution.record(keys.get(i), checked(i, call(i)));
    }
    List<StepKey> planned = new ArrayList<>();
    pending.forEach(i -> planned.add(keys.get(i)));
    execution.plan(planned);
  }

  private void runAll(List<Integer> pending, Object[] values, StepFailedException[] failures) {
    BlockingQueue<Done> done = new LinkedBlockingQueue<>();
    List<Future<?>> running = start(pending, done);
    Done retry = null;
    try {
      for (int n = 0; n < pending.size(); n++) {
        Done d = take(done);
        Exception error = d.attempt().error();
        if (error != null && execution.retriable(error)) {
          // §9.3: the siblings still end and are recorded, so a retry never runs them again.
          retry = retry == null ? d : retry;
          continue;
        }
        try {
          values[d.index()] = execution.record(keys.get(d.index()), d.attempt());
        } catch (StepFailedException e) {
          failures[d.index()] = e;
        }
      }
    } finally {
      running.forEach(f -> f.cancel(true)); // only left running when recording failed
    }
    if (retry != null) {
      execution.record(keys.get(retry.index()), retry.attempt()); // StepError: suspends
    }
  }

  private List<Future<?>> start(List<Integer> indexes, BlockingQueue<Done> done) {
    List<Future<?>> running = new ArrayList<>(indexes.size());
    for (int i : indexes) {
      StepFunction<?> fn = execution.wrapped(keys.get(i), members.get(i).fn()); // on the handler's thread
      running.add(execution.threads().submit(() -> {
        try {
          done.add(new Done(i, call(i, fn), null));
        } catch (Throwable t) { // NOPMD: handed to the handler's thread, which rethrows it
          done.add(new Done(i, null, t));
        }
      }));
    }
    return running;
  }

  /** Runs member {@code i}'s function inline, on the handler's thread. */
  private Attempt call(int i) {
    return call(i, execution.wrapped(keys.get(i), members.get(i).fn()));
  }

  private Attempt call(int i, StepFunction<?> fn) {
    String previous = MEMBER.get();
    MEMBER.set(members.get(i).id());
    try (Execution.Scope scope = execution.enter()) {
      return Attempt.of(fn);
    } finally {
      if (previous == null) {
        MEMBER.remove();
      } else {
        MEMBER.set(previous);
      }
    }
  }

  private Done take(BlockingQueue<Done> done) {
    Done d;
    try {
      d = done.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for the parallel steps " + ids(), e);
    }
    if (d.thrown() instanceof Error error) {
      throw error;
    }
    checked(d.index(), d.attempt());
    return d;
  }

  /** A step called inside a member is the handler's bug: thrown as it is, never recorded. */
  private static Attempt checked(int index, Attempt attempt) {
    if (attempt.error() instanceof NestedStep nested) {
      throw nested;
    }
    return attempt;
  }

  private List<String> ids() {
    return members.stream().map(ParallelMember::id).toList();
  }

  /** A member that ended: what its function did, or what escaped it. */
  private record Done(int index, Attempt attempt, Throwable thrown) {}
}
