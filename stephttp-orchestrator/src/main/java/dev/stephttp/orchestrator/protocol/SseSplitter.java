package dev.stephttp.orchestrator.protocol;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a published byte stream into whole SSE events (docs/protocol.md §2.7), whatever its chunk
 * boundaries: an event is everything up to and including its blank line ({@code \n\n}). Comments
 * ({@code :…}, keepalives) and blank lines between events are dropped; an event never comes out
 * before its blank line has arrived. Linear in the bytes fed. Not thread-safe: one per upload.
 */
final class SseSplitter {
  private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
  /** Whether the last byte of the event being read was a newline. */
  private boolean lastWasNewline;

  /** The events completed by {@code chunk[off, off + len)}, comments left out. */
  List<byte[]> feed(byte[] chunk, int off, int len) {
    List<byte[]> events = new ArrayList<>();
    int start = off;
    for (int i = off; i < off + len; i++) {
      boolean newline = chunk[i] == '\n';
      if (newline && start == i && pending.size() == 0) {
        start = i + 1; // a blank line between events
      } else if (newline && lastWasNewline) {
        pending.write(chunk, start, i + 1 - start);
        start = i + 1;
        byte[] event = pending.toByteArray();
        pending.reset();
        if (event[0] != ':') {
          events.add(event);
        }
        lastWasNewline = false;
      } else {
        lastWasNewline = newline;
      }
    }
    pending.write(chunk, start, off + len - start);
    return events;
  }

  /** Bytes of an event that has not ended yet. */
  int pending() {
    return pending.size();
  }
}
