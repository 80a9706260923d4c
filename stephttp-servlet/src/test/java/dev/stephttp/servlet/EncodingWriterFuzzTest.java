package dev.stephttp.servlet;

import static java.nio.charset.StandardCharsets.UTF_16;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The response's writer ({@link EncodingWriter} under a {@link PrintWriter}, as {@code
 * BufferedResponse.getWriter()} builds it) writes exactly the bytes, flushes and close of a {@code
 * PrintWriter} over an {@link OutputStreamWriter} of the same charset, whatever the write methods
 * and the chunk boundaries (surrogate pairs split across writes, lone surrogates, stateful
 * encodings), and every write reaches the stream at once. A coverage-guided fuzz test ({@code
 * JAZZER_FUZZ=1} fuzzes; a normal run replays {@code EncodingWriterFuzzTestInputs/}) plus examples.
 */
class EncodingWriterFuzzTest {
  /** Latin-1, the euro sign, CJK, a surrogate pair, a lone low and a lone high surrogate. */
  static final String TEXT = "héllo € 日本語 \uD83D\uDE00 \uDC00 \uD800x end\n";
  static final List<Charset> FUZZED = Stream.of("UTF-8", "ISO-8859-1", "US-ASCII", "UTF-16",
      "UTF-16LE", "UTF-32", "windows-1252", "Shift_JIS", "EUC-JP", "ISO-2022-JP", "GB18030", "Big5")
      .filter(Charset::isSupported).map(Charset::forName).toList();
  /** Characters the fuzzer picks from besides any char: pair halves, lone ones, multi-byte ones. */
  static final char[] ALPHABET = {'a', '\n', 'é', '€', '日', '\uD83D', '\uDE00', '\uDBFF', '\uDC00', '\uFFFF'};

  /** A stream that keeps the bytes and logs each flush and close with the bytes written before it. */
  static final class Recording extends ByteArrayOutputStream {
    final StringBuilder log = new StringBuilder();

    @Override
    public void flush() {
      log.append("flush@").append(size()).append(' ');
    }

    @Override
    public void close() {
      log.append("close@").append(size()).append(' ');
    }
  }

  /** The same calls on a writer over an {@code OutputStreamWriter} and on the response's writer. */
  static final class Twin {
    final Recording jdkOut = new Recording();
    final Recording out = new Recording();
    final PrintWriter jdk;
    final PrintWriter writer;

    Twin(Charset charset) {
      jdk = new PrintWriter(new OutputStreamWriter(jdkOut, charset), false);
      writer = new PrintWriter(new EncodingWriter(out, charset), false);
    }

    /** Makes the call on both, then checks that it reached the stream as the JDK's, once flushed. */
    void call(Consumer<PrintWriter> call) {
      call.accept(jdk);
      call.accept(writer);
      byte[] written = out.toByteArray();
      jdk.flush();
      writer.flush();
      assertThat(written).isEqualTo(jdkOut.toByteArray());
      assertThat(out.log).hasToString(jdkOut.log.toString());
    }

    void close() {
      jdk.close();
      writer.close();
      assertThat(out.toByteArray()).isEqualTo(jdkOut.toByteArray());
      assertThat(out.log).hasToString(jdkOut.log.toString());
      assertThat(writer.checkError()).isFalse();
    }
  }

  static Stream<Charset> everyCharset() {
    return Charset.availableCharsets().values().stream().filter(Charset::canEncode);
  }

  @ParameterizedTest
  @MethodSource("everyCharset")
  void everyWriteMethodAndSplitGivesTheBytesOfAnOutputStreamWriter(Charset charset) {
    Twin twin = new Twin(charset);
    for (int i = 0; i <= TEXT.length(); i++) {
      int at = i;
      twin.call(w -> w.write(TEXT, 0, at));
      twin.call(w -> w.write(TEXT, at, TEXT.length() - at));
      twin.call(w -> w.write(TEXT.toCharArray(), 0, at));
      twin.call(w -> w.write(TEXT.toCharArray(), at, TEXT.length() - at));
    }
    TEXT.chars().forEach(c -> twin.call(w -> w.write(c)));
    twin.call(w -> w.append(TEXT).append(TEXT, 3, 17).append('\uD83D').append('\uDE00'));
    twin.call(w -> w.print(TEXT.toCharArray()));
    twin.call(w -> w.println(TEXT));
    twin.call(w -> w.write('\uD800'));
    twin.close();
  }

  @Test
  void aSurrogatePairSplitAcrossTwoWritesIsOneCharacter() {
    Recording out = new Recording();
    PrintWriter writer = new PrintWriter(new EncodingWriter(out, UTF_8), false);
    writer.write("a\uD83D");
    assertThat(out.toByteArray()).isEqualTo("a".getBytes(UTF_8)); // the high half waits
    writer.write("\uDE00b".toCharArray());
    writer.write('\uD83D');
    writer.write('\uDE00');
    assertThat(out.toByteArray()).isEqualTo("a\uD83D\uDE00b\uD83D\uDE00".getBytes(UTF_8));
  }

  @Test
  void loneSurrogatesBecomeTheEncodersReplacement() {
    String lone = "x\uDE00y\uD83Dz\uDC00\uD800";
    for (Charset charset : List.of(UTF_8, UTF_16)) {
      Recording out = new Recording();
      try (PrintWriter writer = new PrintWriter(new EncodingWriter(out, charset), false)) {
        writer.write(lone);
      }
      assertThat(out.toByteArray()).isEqualTo(lone.getBytes(charset));
    }
    assertThat(new String(lone.getBytes(UTF_8), UTF_8)).isEqualTo("x?y?z??");
  }

  @Test
  void aDanglingHighSurrogateWaitsForCloseWhichReplacesItFlushesAndClosesTheStream() {
    Recording out = new Recording();
    PrintWriter writer = new PrintWriter(new EncodingWriter(out, UTF_8), false);
    writer.write("ab\uD83D");
    writer.flush();
    assertThat(out.toString(UTF_8)).isEqualTo("ab");
    writer.close();
    writer.write("after close");
    assertThat(out.toString(UTF_8)).isEqualTo("ab?");
    assertThat(out.log).hasToString("flush@2 flush@3 close@3 ");
  }

  @Test
  void discardingForgetsAHeldSurrogateAndTheEncodersState() {
    Charset jis = Charset.forName("ISO-2022-JP");
    Recording out = new Recording();
    EncodingWriter encoding = new EncodingWriter(out, jis);
    try (PrintWriter writer = new PrintWriter(encoding, false)) {
      writer.write("日本\uD83D"); // a shifted state and half a pair, then the body is reset
      writer.flush();
      out.reset();
      encoding.discard();
      writer.write("\uDE00日本");
    }
    assertThat(out.toByteArray()).isEqualTo("\uDE00日本".getBytes(jis));

    Recording utf8 = new Recording();
    EncodingWriter pairs = new EncodingWriter(utf8, UTF_8);
    try (PrintWriter writer = new PrintWriter(pairs, false)) {
      writer.write("a\uD83D");
      writer.flush();
      utf8.reset();
      pairs.discard();
      writer.write("\uDE00b"); // no longer the second half of a pair
    }
    assertThat(utf8.toString(UTF_8)).isEqualTo("?b");
  }

  @Test
  void closeEndsAStatefulEncoding() {
    Charset jis = Charset.forName("ISO-2022-JP");
    Recording out = new Recording();
    try (PrintWriter writer = new PrintWriter(new EncodingWriter(out, jis), false)) {
      writer.write("日本");
      assertThat(out.toByteArray()).isNotEqualTo("日本".getBytes(jis)); // not back to ASCII yet
    }
    assertThat(out.toByteArray()).isEqualTo("日本".getBytes(jis));
  }

  @Test
  void aLongTextCrossesTheChunks() {
    Random random = new Random(42);
    StringBuilder text = new StringBuilder();
    while (text.length() < 100_000) {
      text.appendCodePoint(random.nextBoolean() ? 'a' + random.nextInt(26) : random.nextInt(0x10FFFF));
    }
    String s = text.toString();
    for (Charset charset : List.of(UTF_8, UTF_16)) {
      Recording out = new Recording();
      try (PrintWriter writer = new PrintWriter(new EncodingWriter(out, charset), false)) {
        writer.write(s);
        writer.write(s.toCharArray());
      }
      assertThat(out.toByteArray()).isEqualTo((s + s).getBytes(charset));
    }
  }

  @FuzzTest(maxDuration = "20s")
  void anyWritesInAnyChunksGiveTheBytesOfAnOutputStreamWriter(FuzzedDataProvider data) {
    Twin twin = new Twin(FUZZED.get(data.consumeInt(0, FUZZED.size() - 1)));
    while (data.remainingBytes() > 0) {
      int op = data.consumeInt(0, 6);
      String text = text(data);
      int from = data.consumeInt(0, text.length());
      int to = data.consumeInt(from, text.length());
      switch (op) {
        case 0 -> twin.call(w -> w.write(text));
        case 1 -> twin.call(w -> w.write(text, from, to - from));
        case 2 -> twin.call(w -> w.write(text.toCharArray(), from, to - from));
        case 3 -> text.chars().forEach(c -> twin.call(w -> w.write(c)));
        case 4 -> twin.call(w -> w.append(text, from, to));
        case 5 -> twin.call(w -> w.print(text.isEmpty() ? '\uD83D' : text.charAt(0)));
        default -> twin.call(w -> w.println(text));
      }
    }
    twin.close();
  }

  private static String text(FuzzedDataProvider data) {
    char[] chars = new char[data.consumeInt(0, 700)];
    for (int i = 0; i < chars.length && data.remainingBytes() > 0; i++) {
      chars[i] = data.consumeBoolean() ? data.consumeChar() : ALPHABET[data.consumeInt(0, ALPHABET.length - 1)];
    }
    return new String(chars);
  }
}
