package dev.stephttp.spring;

/**
 * The embedded orchestrator's base URL, as a bean of the starter's own type, so that the filter's
 * configuration can use it without naming an orchestrator class (which may be absent).
 */
record OrchestratorAddress(String baseUrl) {}
