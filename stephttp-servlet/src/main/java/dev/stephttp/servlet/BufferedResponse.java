package dev.stephttp.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Holds the handler's response body back (docs/how-it-works.md) so that an async switch can still turn
 * the answer into a redirect, and keeps a copy for {@code RunComplete}. Status and headers go to
 * the container's response, which stays uncommitted until the body is released.
 *
 * <p>In streaming mode (the sync phase) a flush or a body larger than the limit commits the
 * response and the rest streams through; the copy for {@code RunComplete} is then dropped if it
 * outgrows the limit. Until the body is released, the held body is that copy (released, its buffer
 * becomes the copy: the body is never copied twice). In capture mode (re-entries) nothing reaches
 * the client and a body beyond the limit is an overflow.
 *
 * <p>Once the run's execution has recorded a suspension the response is sealed: nothing the
 * handler, a framework's exception handler or an error page writes, flushes, sets or sends
 * reaches the client any more, so the async switch can still answer (Spring's message converters
 * flush as they write; an {@code @ExceptionHandler} would otherwise commit its own 500 first).
 * The writer ({@link EncodingWriter}) encodes each write straight into the body, so the body
 * always holds all that was written. Confined to the request's thread.
 */
final class BufferedResponse extends HttpServletResponseWrapper {
  private final int limit;
  private final boolean streaming;
  private final BooleanSupplier sealed;
  /** Streaming mode: the body held back, which is also the copy until released. */
  private ByteArrayOutputStream held = new ByteArrayOutputStream();
  /** The copy for {@code RunComplete}: capture mode's body; streaming mode's once released. */
  private ByteArrayOutputStream copy = new ByteArrayOutputStream();
  private boolean released;
  private boolean overflowed;
  private boolean passThrough;
  private Body stream;
  private PrintWriter writer;
  private EncodingWriter encoding;

  BufferedResponse(HttpServletResponse response, int limit, boolean streaming, BooleanSupplier sealed) {
    super(response);
    this.limit = limit;
    this.streaming = streaming;
    this.sealed = sealed;
  }

  @Override
  public ServletOutputStream getOutputStream() throws IOException {
    if (writer != null) {
      throw new IllegalStateException("getWriter() was already called on this response");
    }
    if (stream == null) {
      stream = new Body();
    }
    return stream;
  }

  @Override
  public PrintWriter getWriter() throws IOException {
    if (writer == null) {
      if (stream != null) {
        throw new IllegalStateException("getOutputStream() was already called on this response");
      }
      stream = new Body();
      encoding = new EncodingWriter(stream, charset());
      writer = new PrintWriter(encoding, false);
    }
    return writer;
  }

  @Override
  public void flushBuffer() throws IOException {
    if (sealed.getAsBoolean()) {
      return;
    }
    if (streaming) {
      release();
      getResponse().flushBuffer();
    }
  }

  @Override
  public void resetBuffer() {
    if (sealed.getAsBoolean()) {
      return;
    }
    if (!released) {
      held.reset();
      copy = new ByteArrayOutputStream();
      overflowed = false;
      if (encoding != null) {
        encoding.discard();
      }
    }
    super.resetBuffer();
  }

  @Override
  public void reset() {
    if (sealed.getAsBoolean()) {
      return;
    }
    resetBuffer();
    super.reset();
  }

  @Override
  public void sendRedirect(String location) throws IOException {
    if (sealed.getAsBoolean()) {
      return;
    }
    if (streaming) {
      super.sendRedirect(location);
      return;
    }
    // Capture mode: the orchestrator, not the client, receives this answer later.
    setStatus(SC_FOUND);
    setHeader("Location", location);
  }

  @Override
  public void sendError(int sc, String msg) throws IOException {
    if (sealed.getAsBoolean()) {
      return;
    }
    if (streaming) {
      super.sendError(sc, msg);
      return;
    }
    setStatus(sc);
    if (msg != null) {
      setContentType("text/plain;charset=utf-8");
      byte[] bytes = msg.getBytes(StandardCharsets.UTF_8);
      getOutputStream().write(bytes, 0, bytes.length);
    }
  }

  @Override
  public void sendError(int sc) throws IOException {
    sendError(sc, null);
  }

  @Override
  public void setStatus(int sc) {
    if (!sealed.getAsBoolean()) {
      super.setStatus(sc);
    }
  }

  @Override
  public void setHeader(String name, String value) {
    if (!sealed.getAsBoolean()) {
      super.setHeader(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if (!sealed.getAsBoolean()) {
      super.addHeader(name, value);
    }
  }

  @Override
  public void setIntHeader(String name, int value) {
    if (!sealed.getAsBoolean()) {
      super.setIntHeader(name, value);
    }
  }

  @Override
  public void addIntHeader(String name, int value) {
    if (!sealed.getAsBoolean()) {
      super.addIntHeader(name, value);
    }
  }

  @Override
  public void setDateHeader(String name, long date) {
    if (!sealed.getAsBoolean()) {
      super.setDateHeader(name, date);
    }
  }

  @Override
  public void addDateHeader(String name, long date) {
    if (!sealed.getAsBoolean()) {
      super.addDateHeader(name, date);
    }
  }

  @Override
  public void addCookie(Cookie cookie) {
    if (!sealed.getAsBoolean()) {
      super.addCookie(cookie);
    }
  }

  @Override
  public void setContentType(String type) {
    if (!sealed.getAsBoolean()) {
      super.setContentType(type);
    }
  }

  @Override
  public void setCharacterEncoding(String charset) {
    if (!sealed.getAsBoolean()) {
      super.setCharacterEncoding(charset);
    }
  }

  @Override
  public void setContentLength(int len) {
    if (!sealed.getAsBoolean()) {
      super.setContentLength(len);
    }
  }

  @Override
  public void setContentLengthLong(long len) {
    if (!sealed.getAsBoolean()) {
      super.setContentLengthLong(len);
    }
  }

  @Override
  public void setLocale(Locale locale) {
    if (!sealed.getAsBoolean()) {
      super.setLocale(locale);
    }
  }

  @Override
  public void setBufferSize(int size) {
    if (!sealed.getAsBoolean()) {
      super.setBufferSize(size);
    }
  }

  @Override
  public boolean isCommitted() {
    return released || super.isCommitted();
  }

  /** Whether the body has started to reach the client (no redirect is possible any more). */
  boolean released() {
    return released || super.isCommitted();
  }

  /** Whether capture mode saw more than the limit. */
  boolean overflowed() {
    return overflowed;
  }

  /** The body so far, or null when it outgrew the limit. */
  byte[] bodyCopy() {
    if (overflowed) {
      return null;
    }
    return (streaming && !released ? held : copy).toByteArray();
  }

  /** Sends everything held back to the client and streams from now on (async servlets). */
  void passThrough() throws IOException {
    passThrough = true;
    release();
  }

  /** Drops the held body and the copy (before an async switch). */
  void discard() {
    writer = null;
    encoding = null;
    stream = null;
    held.reset();
    copy = new ByteArrayOutputStream();
    overflowed = false;
  }

  /** Writes the held body to the client with an exact Content-Length when still possible. */
  void finish() throws IOException {
    if (!released && !getResponse().isCommitted() && !containsHeader("Transfer-Encoding")) {
      getResponse().setContentLengthLong(held.size());
    }
    release();
  }

  /** Lower-case header names with their first value (docs/protocol.md §7.3, TS form). */
  Map<String, String> headers() {
    Map<String, String> headers = new LinkedHashMap<>();
    for (String name : getHeaderNames()) {
      String value = getHeader(name);
      if (value != null) {
        headers.putIfAbsent(name.toLowerCase(Locale.ROOT), value);
      }
    }
    if (getContentType() != null) {
      headers.putIfAbsent("content-type", getContentType());
    }
    return headers;
  }

  private void release() throws IOException {
    if (released) {
      return;
    }
    released = true;
    ByteArrayOutputStream body = held;
    if (streaming) { // the held body was the copy so far (empty until now): it becomes the copy
      held = copy;
      copy = body;
    }
    if (body.size() > 0) {
      body.writeTo(getResponse().getOutputStream()); // one write, without a copy
    }
    held.reset();
  }

  private Charset charset() {
    String enc = getCharacterEncoding();
    try {
      return enc == null ? StandardCharsets.ISO_8859_1 : Charset.forName(enc);
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private void keepCopy(byte[] b, int off, int len) {
    if (overflowed) {
      return;
    }
    if (copy.size() + len > limit) {
      overflowed = true;
      copy = new ByteArrayOutputStream();
      return;
    }
    copy.write(b, off, len);
  }

  /** The body stream handed to the handler. */
  private final class Body extends ServletOutputStream {
    @Override
    public void write(int b) throws IOException {
      write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      if (len == 0 || sealed.getAsBoolean()) {
        return;
      }
      if (!streaming) {
        if (!passThrough) {
          keepCopy(b, off, len); // capture mode: the copy is the body
        }
        return;
      }
      if (!released && held.size() + len <= limit) {
        held.write(b, off, len); // held back, and the copy so far
        return;
      }
      release();
      if (!passThrough) {
        keepCopy(b, off, len);
      }
      getResponse().getOutputStream().write(b, off, len);
    }

    @Override
    public void flush() throws IOException {
      if (sealed.getAsBoolean()) {
        return;
      }
      if (streaming && released) {
        getResponse().getOutputStream().flush();
      } else if (streaming && !passThrough) {
        flushBuffer();
      }
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setWriteListener(WriteListener listener) {
      try {
        listener.onWritePossible();
      } catch (IOException e) {
        listener.onError(e);
      }
    }
  }
}
