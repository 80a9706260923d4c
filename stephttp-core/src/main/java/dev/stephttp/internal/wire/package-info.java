/**
 * Wire-protocol building blocks shared by the client and the orchestrator: JSON mapping, opcode
 * DTOs, step-ID hashing, signing keys, request signatures, durations and deterministic UUIDs.
 *
 * <p><strong>Internal:</strong> this package is not API. Its types are public only so that the
 * other stephttp modules can use them; they may change or disappear without notice. The rules
 * implemented here are specified in {@code docs/protocol.md}; each class names the sections it follows.
 */
package dev.stephttp.internal.wire;
