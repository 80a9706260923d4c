/**
 * The management API ({@code /api/v2}, docs/management-api.md): routes, authentication and
 * sessions, rate limits, queries, views, the OpenAPI document and the dashboard's files. Changes
 * go through the engine; reads use the {@code ReadStore}. Depends on {@code engine},
 * {@code store} (reads), {@code model} and {@code http}.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.management;
