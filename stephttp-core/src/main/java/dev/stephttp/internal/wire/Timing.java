package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

/**
 * The {@code timing} span of an op in nanoseconds (docs/protocol.md §6.2); immutable. Values exceed
 * 2^53 and are read and written as exact 64-bit integers.
 *
 * @param a start, nanoseconds since the epoch (0 when not applicable)
 * @param b duration in nanoseconds
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Timing(long a, long b) {}
