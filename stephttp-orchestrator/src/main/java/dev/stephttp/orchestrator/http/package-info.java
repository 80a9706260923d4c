/**
 * HTTP plumbing shared by the protocol endpoints and the management API: bounded reading of
 * request bodies. Depends on nothing else in the orchestrator.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.http;
