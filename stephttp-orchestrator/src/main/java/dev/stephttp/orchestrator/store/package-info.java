/**
 * Durable state: the {@code Store} (write transactions) and {@code ReadStore} (committed
 * reads) interfaces, the SQLite implementation with group commit and {@code synchronous=FULL},
 * the schema and its migrations by {@code user_version}, and the database file lock. Only the
 * engine writes; endpoints read through {@code ReadStore}. Depends on {@code model} only.
 *
 * <p><b>Internal:</b> public only so that the orchestrator's other packages can use it; not an
 * API. Anything here may change or go away in any release.
 */
package dev.stephttp.orchestrator.store;
