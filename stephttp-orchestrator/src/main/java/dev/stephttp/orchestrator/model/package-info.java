/**
 * The orchestrator's records: runs, steps and their traces, work items, waits (pauses),
 * events, apps and functions, statuses, ops as parsed from the wire, re-entry outcomes and the
 * run/event queries of the management API. No behaviour beyond validation and small derivations;
 * depends on nothing else in the orchestrator.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.model;
