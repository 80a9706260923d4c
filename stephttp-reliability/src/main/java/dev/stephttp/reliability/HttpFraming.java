package dev.stephttp.reliability;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Finds where one HTTP/1.1 request ends in a byte stream (head, then a {@code Content-Length} or
 * chunked body), keeping its exact bytes so that the proxy forwards them untouched.
 */
final class HttpFraming {
  static final int MAX_HEAD_BYTES = 64 * 1024;
  static final int MAX_BODY_BYTES = 16 * 1024 * 1024;

  /** A request as read: what rules look at, and the bytes to forward. */
  record RawRequest(FaultProxy.Request request, byte[] bytes) {}

  private HttpFraming() {}

  /** The next request, or null when the stream ends before its first byte. */
  static @Nullable RawRequest read(InputStream in) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    String head = readHead(in, raw);
    if (head == null) {
      return null;
    }
    String[] lines = head.split("\r\n");
    String[] start = lines[0].split(" ", 3);
    if (start.length < 3) {
      throw new IOException("not an HTTP request line: " + lines[0]);
    }
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
    }
    String encoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
    if (encoding.contains("chunked")) {
      readChunked(in, raw);
    } else if (headers.containsKey("content-length")) {
      long length = Long.parseLong(headers.get("content-length"));
      if (length < 0 || length > MAX_BODY_BYTES) {
        throw new IOException("Content-Length out of range: " + length);
      }
      byte[] body = in.readNBytes((int) length);
      if (body.length != length) {
        throw new IOException("the stream ended inside a request body");
      }
      raw.write(body);
    }
    return new RawRequest(new FaultProxy.Request(start[0], start[1], Map.copyOf(headers)), raw.toByteArray());
  }

  /** Reads up to and including the empty line; null at end of stream before any byte. */
  private static @Nullable String readHead(InputStream in, ByteArrayOutputStream raw) throws IOException {
    int matched = 0;
    int count = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        if (count == 0) {
          return null;
        }
        throw new IOException("the stream ended inside a request head");
      }
      raw.write(b);
      if (++count > MAX_HEAD_BYTES) {
        throw new IOException("request head larger than " + MAX_HEAD_BYTES + " bytes");
      }
      matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
          ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    String head = raw.toString(StandardCharsets.ISO_8859_1);
    return head.substring(0, head.length() - 4);
  }

  private static void readChunked(InputStream in, ByteArrayOutputStream raw) throws IOException {
    long total = 0;
    while (true) {
      String sizeLine = readLine(in, raw);
      int semicolon = sizeLine.indexOf(';');
      long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      total += size;
      if (size < 0 || total > MAX_BODY_BYTES) {
        throw new IOException("chunked body larger than " + MAX_BODY_BYTES + " bytes");
      }
      if (size == 0) {
        while (!readLine(in, raw).isEmpty()) {
          // trailer fields, forwarded as they are
        }
        return;
      }
      byte[] chunk = in.readNBytes((int) size);
      if (chunk.length != size) {
        throw new IOException("the stream ended inside a chunk");
      }
      raw.write(chunk);
      readLine(in, raw);
    }
  }

  private static String readLine(InputStream in, ByteArrayOutputStream raw) throws IOException {
    StringBuilder line = new StringBuilder();
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the stream ended inside a chunked body");
      }
      raw.write(b);
      if (b == '\n') {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        return line.substring(0, end);
      }
      if (line.length() > 4096) {
        throw new IOException("chunk line too long");
      }
      line.append((char) b);
    }
  }
}
