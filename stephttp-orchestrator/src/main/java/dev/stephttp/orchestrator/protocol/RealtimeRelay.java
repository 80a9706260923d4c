package dev.stephttp.orchestrator.protocol;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
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
 * lock, so a subscriber never sees an event twice or out of order.
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

  /** Reads a channel's events; called under the channel's lock, so it must not block. */
  interface Subscriber {
    /** One complete SSE event (its bytes end with a blank line). */
    void send(byte[] event);

    /** The channel ended or went away: nothing more will come. */
    void end();
  }

  private final Clock clock;
  /** Access order: the first entries are the least recently used (eviction). */
  private final Map<String, Channel> channels = new LinkedHashMap<>(16, 0.75f, true);

  RealtimeRelay(Clock clock) {
    this.clock = clock;
  }

  /** What subscribing found. */
  enum Subscribed { LIVE, ENDED, FULL }

  /** Publishes one complete event to {@code runId}'s channel; false when no channel can be made. */
  boolean publish(String runId, byte[] event) {
    Channel c = channel(runId);
    if (c == null) {
      return false;
    }
    c.publish(event, clock.millis());
    return true;
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
    if (event.length < RESPONSE_EVENT.length) {
      return false;
    }
    for (int i = 0; i < RESPONSE_EVENT.length; i++) {
      if (event[i] != RESPONSE_EVENT[i]) {
        return false;
      }
    }
    return true;
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

    synchronized void publish(byte[] event, long now) {
      lastActivity = now;
      if (ended) {
        return; // the first response ended the channel; a second one (or anything after it) is dropped
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
