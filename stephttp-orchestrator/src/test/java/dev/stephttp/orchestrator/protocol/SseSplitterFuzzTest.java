package dev.stephttp.orchestrator.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The relay cuts published bytes into whole events the same way whatever the chunk boundaries
 * (docs/protocol.md §2.7): every event ends at its blank line and holds no other, none is a
 * comment or starts with a blank line, and none is lost or made up. A coverage-guided fuzz test
 * ({@code JAZZER_FUZZ=1} fuzzes; a normal run replays {@code SseSplitterFuzzTestInputs/}) plus
 * examples.
 */
class SseSplitterFuzzTest {
  private static List<String> split(String... chunks) {
    SseSplitter s = new SseSplitter();
    List<String> out = new ArrayList<>();
    for (String c : chunks) {
      byte[] b = c.getBytes(StandardCharsets.UTF_8);
      s.feed(b, 0, b.length).forEach(e -> out.add(new String(e, StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void eventsComeOutWholeOnceTheirBlankLineArrives() {
    assertThat(split("event: a\ndata: 1\n", "\nevent: b\ndata: 2", "\n\n"))
        .containsExactly("event: a\ndata: 1\n\n", "event: b\ndata: 2\n\n");
    assertThat(split("event: a\ndata: 1\n")).isEmpty();
  }

  @Test
  void commentsAndBlankLinesBetweenEventsAreDropped() {
    assertThat(split(":\n\n", "\n\n\nevent: a\ndata: 1\n\n", "\n", ":keepalive\n\nevent: b\n\n"))
        .containsExactly("event: a\ndata: 1\n\n", "event: b\n\n");
  }

  @FuzzTest(maxDuration = "20s")
  void anyChunkingGivesTheSameWholeEvents(FuzzedDataProvider data) {
    byte[] all = data.consumeBytes(4096);
    List<byte[]> whole = new SseSplitter().feed(all, 0, all.length);
    SseSplitter chunked = new SseSplitter();
    List<byte[]> pieces = new ArrayList<>();
    int at = 0;
    while (at < all.length) {
      int len = data.consumeInt(1, all.length - at);
      pieces.addAll(chunked.feed(all, at, len));
      at += len;
    }
    assertThat(pieces).hasSameSizeAs(whole);
    int total = 0;
    for (int i = 0; i < whole.size(); i++) {
      byte[] e = whole.get(i);
      assertThat(pieces.get(i)).isEqualTo(e);
      assertThat(e.length).isGreaterThanOrEqualTo(2);
      assertThat(e[e.length - 1]).isEqualTo((byte) '\n');
      assertThat(e[e.length - 2]).isEqualTo((byte) '\n');
      assertThat(e[0]).isNotIn((byte) '\n', (byte) ':');
      String body = new String(e, 0, e.length - 2, StandardCharsets.ISO_8859_1);
      assertThat(body).doesNotContain("\n\n");
      total += e.length;
    }
    assertThat(total + chunked.pending()).isLessThanOrEqualTo(all.length);
  }
}
