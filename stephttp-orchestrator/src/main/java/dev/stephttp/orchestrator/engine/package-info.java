/**
 * The one service through which every change of state goes ({@code Engine}: create,
 * checkpoint, complete, events, cancel, rerun, timers, re-entry results), the run state machine
 * inside it, waits and their CEL matching, the orphan watchdog, step traces, the waiters of the
 * run-output endpoint and the settings. It alone calls the store's write transactions. Depends
 * on {@code store} and {@code model}.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.engine;
