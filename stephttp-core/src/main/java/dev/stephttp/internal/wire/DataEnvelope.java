package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;

/**
 * The {@code {"data": …, "metadata": …}} success envelope of the API (docs/protocol.md §2.0), also
 * usable for a stored step success {@code {"data": D}}; immutable if {@code T} is.
 *
 * <p>{@code data} is always written (as {@code null} when null); {@code metadata} is omitted when
 * null, so {@code new DataEnvelope<>(d, null)} writes exactly {@code {"data":d}}.
 *
 * @param <T> the payload type
 * @param data the payload
 * @param metadata e.g. {@code {"fetched_at": "…"}}, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"data", "metadata"})
public record DataEnvelope<T>(
    @JsonInclude(JsonInclude.Include.ALWAYS) T data,
    @JsonInclude(JsonInclude.Include.NON_NULL) JsonNode metadata) {

  /** Returns an envelope without metadata. */
  public static <T> DataEnvelope<T> of(T data) {
    return new DataEnvelope<>(data, null);
  }
}
