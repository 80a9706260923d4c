package dev.stephttp.servlet;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The handler's response while the caller's connection carries a stream (docs/protocol.md §2.7):
 * status and headers stay here, to be sent inside the stream's {@code inngest.response} event,
 * and never reach the connection, which the stream has already committed. Used under a {@link
 * BufferedResponse} in capture mode, which keeps the body. Confined to the request's thread.
 */
final class DetachedResponse extends HttpServletResponseWrapper {
  private final Map<String, List<String>> headers = new LinkedHashMap<>();
  private int status = SC_OK;
  private String contentType;
  private String characterEncoding;

  DetachedResponse(HttpServletResponse response) {
    super(response);
  }

  @Override
  public void setStatus(int sc) {
    status = sc;
  }

  @Override
  public int getStatus() {
    return status;
  }

  @Override
  public void setHeader(String name, String value) {
    String key = name.toLowerCase(Locale.ROOT);
    if (key.equals("content-type")) {
      setContentType(value);
      return;
    }
    headers.remove(key);
    if (value != null) {
      addHeader(name, value);
    }
  }

  @Override
  public void addHeader(String name, String value) {
    if (value != null) {
      headers.computeIfAbsent(name.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value);
    }
  }

  @Override
  public void setIntHeader(String name, int value) {
    setHeader(name, Integer.toString(value));
  }

  @Override
  public void addIntHeader(String name, int value) {
    addHeader(name, Integer.toString(value));
  }

  @Override
  public void setDateHeader(String name, long date) {
    setHeader(name, httpDate(date));
  }

  @Override
  public void addDateHeader(String name, long date) {
    addHeader(name, httpDate(date));
  }

  @Override
  public void addCookie(Cookie cookie) {
    StringBuilder c = new StringBuilder(cookie.getName()).append('=').append(cookie.getValue());
    cookie.getAttributes().forEach((k, v) -> c.append("; ").append(k).append(v.isEmpty() ? "" : "=" + v));
    addHeader("Set-Cookie", c.toString());
  }

  @Override
  public boolean containsHeader(String name) {
    return headers.containsKey(name.toLowerCase(Locale.ROOT));
  }

  @Override
  public String getHeader(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null ? null : values.get(0);
  }

  @Override
  public Collection<String> getHeaders(String name) {
    List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
    return values == null ? List.of() : List.copyOf(values);
  }

  @Override
  public Collection<String> getHeaderNames() {
    return List.copyOf(headers.keySet());
  }

  @Override
  public void setContentType(String type) {
    contentType = type;
    int charset = type == null ? -1 : type.toLowerCase(Locale.ROOT).indexOf("charset=");
    if (charset >= 0) {
      characterEncoding = type.substring(charset + 8).trim();
    }
  }

  @Override
  public String getContentType() {
    return contentType;
  }

  @Override
  public void setCharacterEncoding(String charset) {
    characterEncoding = charset;
  }

  @Override
  public String getCharacterEncoding() {
    return characterEncoding;
  }

  @Override
  public void setContentLength(int len) {
    // recomputed by whoever sends the body
  }

  @Override
  public void setContentLengthLong(long len) {
    // recomputed by whoever sends the body
  }

  @Override
  public void setLocale(Locale locale) {
    // the stream's own connection keeps its locale
  }

  @Override
  public void setBufferSize(int size) {
    // nothing is buffered here
  }

  @Override
  public boolean isCommitted() {
    return false;
  }

  @Override
  public void flushBuffer() {
    // the body stays in the capturing response
  }

  @Override
  public void resetBuffer() {
    // the body stays in the capturing response
  }

  @Override
  public void reset() {
    headers.clear();
    status = SC_OK;
    contentType = null;
    characterEncoding = null;
  }

  @Override
  public ServletOutputStream getOutputStream() {
    throw new IllegalStateException("a detached response has no body of its own");
  }

  @Override
  public PrintWriter getWriter() {
    throw new IllegalStateException("a detached response has no body of its own");
  }

  private static String httpDate(long millis) {
    return DateTimeFormatter.RFC_1123_DATE_TIME.format(Instant.ofEpochMilli(millis).atZone(ZoneOffset.UTC));
  }
}
