package dev.stephttp.servlet;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.util.Objects;

/**
 * The writer under {@code BufferedResponse.getWriter()}: encodes each write into the stream at
 * once, byte for byte as an {@link java.io.OutputStreamWriter} of the same charset would (the
 * charset's encoder, malformed and unmappable input replaced), through two small buffers instead
 * of the 8 KiB one an {@code OutputStreamWriter} allocates per request. Between writes it holds
 * nothing but the high half of a surrogate pair split across two writes, so a flush of the writer
 * has nothing to move and only flushes the stream. {@link #close} ends the input (a dangling high
 * surrogate becomes the replacement, a stateful encoder writes its closing sequence), flushes and
 * closes the stream. Used under a {@link java.io.PrintWriter}, which never calls it once closed.
 */
final class EncodingWriter extends Writer {
  /** Characters encoded per step. */
  private static final int CHARS = 128;
  /** Bytes moved to the stream per step at most (a step's rest is encoded after a drain). */
  private static final int BYTES = 256;
  private final OutputStream out;
  private final CharsetEncoder encoder;
  private final CharBuffer chars = CharBuffer.allocate(CHARS);
  private final ByteBuffer bytes = ByteBuffer.allocate(BYTES);

  EncodingWriter(OutputStream out, Charset charset) {
    this.out = out;
    this.encoder = charset.newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE);
  }

  @Override
  public void write(int c) throws IOException {
    chars.put((char) c);
    encode(false);
  }

  @Override
  public void write(char[] cbuf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, cbuf.length);
    for (int n; len > 0; off += n, len -= n) {
      n = Math.min(len, chars.remaining());
      chars.put(cbuf, off, n);
      encode(false);
    }
  }

  @Override
  public void write(String str, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, str.length());
    for (int n; len > 0; off += n, len -= n) {
      n = Math.min(len, chars.remaining());
      str.getChars(off, off + n, chars.array(), chars.position());
      chars.position(chars.position() + n);
      encode(false);
    }
  }

  @Override
  public void flush() throws IOException {
    out.flush();
  }

  @Override
  public void close() throws IOException {
    try (out) {
      encode(true);
      out.flush();
    }
  }

  /**
   * Forgets what was written, for a reset of the response's buffer: the held half of a surrogate
   * pair, and the encoder's state (a stateful charset starts over, its shift sequences included).
   */
  void discard() {
    chars.clear();
    encoder.reset();
  }

  /** Encodes the characters buffered into the stream, keeping an unfinished surrogate pair. */
  private void encode(boolean endOfInput) throws IOException {
    chars.flip();
    try {
      while (encoder.encode(chars, bytes, endOfInput).isOverflow()) {
        drain();
      }
      while (endOfInput && encoder.flush(bytes).isOverflow()) {
        drain();
      }
      drain();
    } finally {
      chars.compact();
    }
  }

  private void drain() throws IOException {
    try {
      if (bytes.position() > 0) {
        out.write(bytes.array(), 0, bytes.position());
      }
    } finally {
      bytes.clear();
    }
  }
}
