package dev.stephttp;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * An event, as sent with {@link Step#sendEvent} and received by {@link Step#waitForEvent}.
 *
 * @param name the event name, e.g. {@code payment/settled}; required
 * @param data the payload; an empty map when absent
 * @param id an optional deduplication ID
 * @param ts the event time in Unix milliseconds, or null for "now"
 * @param v an optional schema version
 * @param user optional user attributes
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Event(
    String name,
    Map<String, Object> data,
    @Nullable String id,
    @Nullable Long ts,
    @Nullable String v,
    @Nullable Map<String, Object> user) {

  /** Validates the name and defaults {@code data} to an empty map. */
  public Event {
    Objects.requireNonNull(name, "name == null");
    if (name.isBlank()) {
      throw new IllegalArgumentException("event name must not be blank");
    }
    data = data == null ? Map.of() : data;
  }

  /** An event with a name and a payload. */
  public static Event of(String name, @Nullable Map<String, Object> data) {
    return new Event(name, data, null, null, null, null);
  }
}
