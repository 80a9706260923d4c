/** The single-node orchestrator: checkpoint API, durable store, timers, retries and events. */
package dev.stephttp.orchestrator;
