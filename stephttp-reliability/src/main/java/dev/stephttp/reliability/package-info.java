/**
 * Reliability tooling of stephttp: {@link dev.stephttp.reliability.FaultProxy}, a loopback TCP
 * proxy that a test places between the app and the orchestrator (either direction) and tells, per
 * request, to pass, delay, reset, blackhole or answer an error itself. Test code, never part of
 * the library.
 */
@NullMarked
package dev.stephttp.reliability;

import org.jspecify.annotations.NullMarked;
