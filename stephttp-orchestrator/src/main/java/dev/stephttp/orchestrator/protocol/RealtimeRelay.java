package dev.stephttp.orchestrator.protocol;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.orchestrator.engine.StreamCounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The realtime relay's state (docs/protocol.md §2.7): one channel per run, holding the SSE events
 * its app published and the subscribers reading them. Each channel keeps its events in a bounded
 * replay buffer, so a subscriber that connects late (or reconnects) first gets everything still
 * buffered, then the live events, in publishing order and without gaps. A channel ends at its
 * first {@code inngest.response} event: its subscribers get it and are ended, later ones get the
 * buffer and are ended at once. Thread-safe: a channel's events and subscribers change under its
 * lock, so a subscriber never sees an event twice or out of order. Each relayed chunk, commit and
 * rollback is counted in the run's {@link StreamCounts}.
 */
final class RealtimeRelay {
  /** Bytes of events a channel keeps for late subscribers; older stream events are dropped first. */
  static final int MAX_BUFFER_BYTES = 1 << 20;
  /** Channels kept at once; the least recently used one without subscribers makes room. */
  static final int MAX_CHANNELS = 10_000;
  /** Subscribers of one channel. */
  static final int MAX_SUBSCRIBERS_PER_CHANNEL = 32;
  /** How long a channel outlives its last event or subscriber (a late subscriber's window). */
  static final long IDLE_MILLIS = 20 * 60_000L;
  private static final byte[] RESPONSE_EVENT = "event: inngest.response\n".getBytes(StandardCharsets.UTF_8);
  private static final byte[] CHUNK_EVENT = "event: inngest.stream\ndata: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] COMMIT_EVENT = "event: inngest.commit\ndata: ".getBytes(StandardCharsets.UTF_8);
  private static final byte[] ROLLBACK_EVENT = "event: inngest.rollback\ndata: ".getBytes(StandardCharsets.UTF_8);

  /** Reads a channel's events; called under the channel's lock, so it must not block. */
  interface Subscriber {
    /** One complete SSE event (its bytes end with a blank line). */
    void send(byte[] event);

    /** The channel ended or went away: nothing more will come. */
    void end();
  }

  private final Clock clock;
  private final StreamCounts counts;
  /** Access order: the first entries are the least recently used (eviction). */
  private final Map<String, Channel> channels = new LinkedHashMap<>(16, 0.75f, true);

  RealtimeRelay(Clock clock, StreamCounts counts) {
    this.clock = clock;
    this.counts = counts;
  }

  /** What subscribing found. */
  enum Subscribed { LIVE, ENDED, FULL }

  /** Publishes one complete event to {@code runId}'s channel; false when no channel can be made. */
  boolean publish(String runId, byte[] event) {
    Channel c = channel(runId);
    if (c == null) {
      return false;
    }
    if (c.publish(event, clock.millis())) {
      count(runId, event);
    }
    return true;
  }

  /** Counts a relayed chunk, commit or rollback (§2.7 framing: {@code event: <name>\ndata: <JSON>}). */
  private void count(String runId, byte[] event) {
    if (startsWith(event, CHUNK_EVENT)) {
      counts.chunk(runId, hashedStepId(event, CHUNK_EVENT.length));
    } else if (startsWith(event, COMMIT_EVENT)) {
      counts.commit(runId, hashedStepId(event, COMMIT_EVENT.length));
    } else if (startsWith(event, ROLLBACK_EVENT)) {
      counts.rollback(runId, hashedStepId(event, ROLLBACK_EVENT.length));
    }
  }

  /**
   * The top-level {@code hashedStepId} of the JSON data starting at {@code from}, or null. Streams
   * over the data without building it (a chunk may be 1 MiB); malformed data has none.
   */
  static String hashedStepId(byte[] event, int from) {
    int end = from;
    while (end < event.length && event[end] != '\n') {
      end++;
    }
    try (JsonParser p = Json.mapper().getFactory().createParser(event, from, end - from)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (field.equals("hashedStepId") && value == JsonToken.VALUE_STRING) {
          return p.getText();
        }
        p.skipChildren();
      }
    } catch (IOException e) {
      return null; // counted without its step
    }
    return null;
  }

  /**
   * Replays {@code runId}'s buffered events to {@code s}, then sends it the live ones. {@code ENDED}:
   * the channel had ended, {@code s} got the buffer and was ended; {@code FULL}: too many
   * subscribers, {@code s} got nothing.
   */
  Subscribed subscribe(String runId, Subscriber s) {
    Channel c = channel(runId);
    return c == null ? Subscribed.FULL : c.subscribe(s, clock.millis());
  }

  void unsubscribe(String runId, Subscriber s) {
    Channel c;
    synchronized (this) {
      c = channels.get(runId);
    }
    if (c != null) {
      c.unsubscribe(s, clock.millis());
    }
  }

  /**
   * Publishes {@code event} only to a channel that exists and has not ended: the orchestrator's own
   * answer for a run whose app published none.
   */
  void publishIfOpen(String runId, byte[] event) {
    Channel c;
    synchronized (this) {
      c = channels.get(runId);
    }
    if (c != null) {
      c.publish(event, clock.millis());
    }
  }

  /** Ends every subscriber and forgets every channel (shutdown). */
  void close() {
    List<Channel> all;
    synchronized (this) {
      all = new ArrayList<>(channels.values());
      channels.clear();
    }
    all.forEach(Channel::endAll);
  }

  /** Forgets channels idle for longer than {@link #IDLE_MILLIS} that nobody reads. */
  void expire() {
    long now = clock.millis();
    synchronized (this) {
      channels.values().removeIf(c -> c.idleSince(now) > IDLE_MILLIS);
    }
  }

  private synchronized Channel channel(String runId) {
    Channel c = channels.get(runId);
    if (c != null) {
      return c;
    }
    if (channels.size() >= MAX_CHANNELS) {
      Iterator<Channel> it = channels.values().iterator();
      boolean evicted = false;
      while (it.hasNext() && !evicted) {
        if (it.next().unread()) {
          it.remove();
          evicted = true;
        }
      }
      if (!evicted) {
        return null;
      }
    }
    c = new Channel(clock.millis());
    channels.put(runId, c);
    return c;
  }

  static boolean isResponse(byte[] event) {
    return startsWith(event, RESPONSE_EVENT);
  }

  private static boolean startsWith(byte[] event, byte[] prefix) {
    return Arrays.equals(event, 0, Math.min(prefix.length, event.length), prefix, 0, prefix.length);
  }

  /** One run's events and subscribers. */
  private static final class Channel {
    private final ArrayDeque<byte[]> buffer = new ArrayDeque<>();
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private int bytes;
    private boolean ended;
    private long lastActivity;

    Channel(long now) {
      this.lastActivity = now;
    }

    /** False when the channel had ended and {@code event} was dropped. */
    synchronized boolean publish(byte[] event, long now) {
      lastActivity = now;
      if (ended) {
        return false; // the first response ended the channel; a second one (or anything after it) is dropped
      }
      buffer.addLast(event);
      bytes += event.length;
      while (bytes > MAX_BUFFER_BYTES && buffer.size() > 1) {
        bytes -= buffer.removeFirst().length;
      }
      for (Subscriber s : subscribers) {
        s.send(event);
      }
      if (isResponse(event)) {
        ended = true;
        endAll();
      }
      return true;
    }

    synchronized Subscribed subscribe(Subscriber s, long now) {
      lastActivity = now;
      if (!ended && subscribers.size() >= MAX_SUBSCRIBERS_PER_CHANNEL) {
        return Subscribed.FULL;
      }
      for (byte[] event : buffer) {
        s.send(event);
      }
      if (ended) {
        s.end();
        return Subscribed.ENDED;
      }
      subscribers.add(s);
      return Subscribed.LIVE;
    }

    synchronized void unsubscribe(Subscriber s, long now) {
      if (subscribers.remove(s)) {
        lastActivity = now;
      }
    }

    synchronized void endAll() {
      for (Subscriber s : subscribers) {
        s.end();
      }
      subscribers.clear();
    }

    synchronized boolean unread() {
      return subscribers.isEmpty();
    }

    synchronized long idleSince(long now) {
      return subscribers.isEmpty() ? now - lastActivity : 0;
    }
  }
}
