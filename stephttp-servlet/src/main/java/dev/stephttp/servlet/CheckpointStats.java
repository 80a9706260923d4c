package dev.stephttp.servlet;

/**
 * Counters of the background checkpointing (docs/how-it-works.md), from {@link
 * StepHttp#checkpointStats()}: the figures to alert on when runs go unrecorded.
 *
 * @param queuedOps ops waiting to be acknowledged by the orchestrator now
 * @param runsDropped runs whose checkpoints were given up because the orchestrator was down; their
 *     users got the handler's answer, but the runs are missing or incomplete at the orchestrator
 * @param runsRefused requests answered 503 because their run could not be recorded in time (the
 *     orchestrator stayed busy past {@code checkpointBackpressureTimeout}, or did not make the run
 *     durable in time at an async switch or for a durable response)
 */
public record CheckpointStats(long queuedOps, long runsDropped, long runsRefused) {}
