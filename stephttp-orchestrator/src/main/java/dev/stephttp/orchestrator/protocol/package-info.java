/**
 * The Inngest wire protocol's HTTP endpoints (docs/protocol.md): create-run and checkpoint
 * ({@code /v1/checkpoint}, {@code /v1/http/runs}), events ({@code /e/{key}}), run output and
 * run state, their bearer and event-key authentication and output tokens. Changes go through the
 * engine; reads use the {@code ReadStore}. Depends on {@code engine}, {@code store} (reads),
 * {@code model} and {@code http}.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.protocol;
