/**
 * The single-node orchestrator: checkpoint API, durable store, timers, retries and events
 * (docs/protocol.md §2–§5, §9–§10).
 *
 * <p>Public API: {@link dev.stephttp.orchestrator.Orchestrator} (embedding), its
 * {@link dev.stephttp.orchestrator.RateLimits} and {@link dev.stephttp.orchestrator.Main}
 * (command line). This package wires the others together; they are internal (public types, but
 * not API) and depend on each other in one direction only, checked by a test:
 *
 * <pre>
 * model ← store ← engine ← {dispatch, protocol, management} ← (this package)
 *                           http ← {protocol, management}
 * </pre>
 *
 * <ul>
 *   <li><b>Durability.</b> Every request that changes state is one store transaction, answered
 *       only after commit. The SQLite store runs in WAL mode with {@code synchronous=FULL} and a
 *       single writer thread that group-commits concurrent requests (each in its own savepoint,
 *       so one failing request does not roll back the others).
 *   <li><b>Engine.</b> {@code engine.Engine} is the only caller of write transactions: creating
 *       runs, checkpoints, events, cancel, rerun, timers and re-entry results all go through it.
 *       Effects outside the store (timers, waking output waiters) run after commit. Finalization
 *       deletes every pending work item and pause of the run (Errata 2).
 *   <li><b>Work queue.</b> Re-entries, sleep wake-ups, retries and wait timeouts are rows with
 *       a due time; {@code dispatch.Scheduler} mirrors them in a priority queue and sleeps exactly
 *       until the next one. One re-entry per run is in flight, and at most a few per app origin;
 *       a sent re-entry is leased for its timeout plus a margin, and a restart waits out the
 *       leases the previous process left (the app may still be running those calls).
 *   <li><b>Waits.</b> A CEL condition's top-level {@code async.<path> == <literal>} conjunct
 *       is stored as an index key, so an event only evaluates the pauses that can match.
 *   <li><b>Input.</b> Bodies are size-checked before parsing and parsed as JSON trees, so every
 *       wrong type is a precise 400 rather than a 500.
 *   <li><b>Time.</b> One {@link java.time.Clock}, given to every part that reads the time.
 * </ul>
 */
package dev.stephttp.orchestrator;

