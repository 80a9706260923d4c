package dev.stephttp;

/** The body of a step that produces no value. */
@FunctionalInterface
public interface StepRunnable {
  /** Runs the step. */
  void run() throws Exception;
}
