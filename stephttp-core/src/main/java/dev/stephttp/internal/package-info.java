/**
 * Implementation of the Step API shared by the stephttp modules: the per-request execution, the
 * checkpoint pipeline and the orchestrator client. Not API: may change without notice.
 */
package dev.stephttp.internal;
