package dev.stephttp;

import com.fasterxml.jackson.databind.JavaType;
import dev.stephttp.internal.ParallelMember;

/**
 * A step that has not run yet: its ID, its result type and its function, to be run with {@link
 * Step#all} or {@link Step#race}. Created by {@link Step#lazy(String, Class, StepFunction)}; it
 * doubles as the key that reads its result back ({@link StepResults#get}, {@link
 * RaceResult#get}). Immutable and thread-safe; a lazy step may be passed to several calls, each
 * call being a step of its own (numbered like a repeated {@link Step#run} ID).
 *
 * @param <T> the type of the step's result
 */
public final class LazyStep<T> {
  private final ParallelMember member;

  LazyStep(String id, JavaType type, StepFunction<T> fn) {
    this.member = new ParallelMember(id, type, fn);
  }

  /** The step ID as given to {@link Step#lazy}. */
  public String id() {
    return member.id();
  }

  ParallelMember member() {
    return member;
  }

  @Override
  public String toString() {
    return "LazyStep{" + member.id() + "}";
  }
}
