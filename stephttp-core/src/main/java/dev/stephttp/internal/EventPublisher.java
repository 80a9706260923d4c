package dev.stephttp.internal;

import dev.stephttp.Event;
import java.util.List;

/** Sends events to the event API (docs/protocol.md §10.1) and returns their IDs. */
@FunctionalInterface
public interface EventPublisher {
  /** Sends the events; throws on failure. */
  List<String> send(List<Event> events) throws Exception;
}
