/**
 * Fires work at its due time: the scheduler (timers, leases, per-origin concurrency) and the
 * re-entry client that calls apps back. Every change of state it makes goes through the engine.
 * Depends on {@code engine} and {@code model}.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.dispatch;
