package dev.stephttp.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.SequenceInputStream;
import java.net.URLDecoder;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The user's request with its body captured (docs/how-it-works.md: the body is never lost and a
 * re-entry replays exactly what the handler saw). A user's request is captured lazily, the first
 * time the handler reads the body or its form parameters or the run needs the body (its first
 * step), so that a request that calls no step and reads no body costs no copy; a re-entry's body
 * is read at once, whatever its type, because its signature covers it. Bodies up to the limit are
 * then served from the captured copy, form parameters included; larger bodies stream through
 * uncaptured. A user's multipart body is left to the container. A multipart re-entry (whose
 * recorded body is empty: the user's multipart body was not captured) is served from its copy, so
 * its handler sees no parts and only the query's parameters. Capturing is thread-safe (an async
 * servlet may read the body on its own thread while a step on the request's thread needs it);
 * otherwise confined to the request's thread.
 */
final class CapturedRequest extends HttpServletRequestWrapper {
  private final int limit;
  private final boolean multipart;
  private boolean captured;
  private byte[] body;
  private boolean complete;
  private InputStream overflow;
  private Map<String, String[]> parameters;
  private boolean streamTaken;
  private Runnable onStartAsync = () -> {};

  private CapturedRequest(HttpServletRequest request, int limit) {
    super(request);
    this.limit = limit;
    this.multipart = isMultipart(request.getContentType());
  }

  /**
   * Wraps a user's request; its body is read when first needed. A multipart body stays with the
   * container, uncaptured.
   */
  static CapturedRequest capture(HttpServletRequest request, int limit) {
    CapturedRequest captured = new CapturedRequest(request, limit);
    if (captured.multipart) {
      captured.captured(new byte[0], false, null);
    }
    return captured;
  }

  /**
   * Captures a re-entry's body now, whatever its content type (its signature must be checked
   * against it); incomplete when it exceeds {@code limit}.
   */
  static CapturedRequest captureReentry(HttpServletRequest request, int limit) throws IOException {
    CapturedRequest captured = new CapturedRequest(request, limit);
    captured.read();
    return captured;
  }

  /** Captures the body if not done yet, reporting a failure to read it. */
  private synchronized void capture() throws IOException {
    if (!captured) {
      read();
    }
  }

  /** Captures the body if not done yet; a body that cannot be read counts as not captured. */
  private synchronized void ensureCaptured() {
    if (!captured) {
      try {
        read();
      } catch (IOException | RuntimeException e) {
        // The handler meets the same failure when it reads the body from the container.
      }
    }
  }

  private void read() throws IOException {
    try {
      readBody();
    } catch (IOException | RuntimeException e) {
      captured(new byte[0], false, null); // never read twice from a partly consumed stream
      throw e;
    }
  }

  private void readBody() throws IOException {
    HttpServletRequest request = (HttpServletRequest) getRequest();
    long declared = request.getContentLengthLong();
    if (declared == 0) {
      captured(new byte[0], true, null);
      return;
    }
    if (declared > limit) {
      captured(new byte[0], false, request.getInputStream());
      return;
    }
    InputStream in = request.getInputStream();
    ByteArrayOutputStream buf = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
    byte[] chunk = new byte[8192];
    int n;
    while (buf.size() <= limit && (n = in.read(chunk, 0, Math.min(chunk.length, limit + 1 - buf.size()))) != -1) {
      buf.write(chunk, 0, n);
    }
    if (buf.size() > limit) {
      byte[] prefix = buf.toByteArray();
      captured(new byte[0], false, new SequenceInputStream(new ByteArrayInputStream(prefix), in));
      return;
    }
    captured(buf.toByteArray(), true, null);
  }

  private void captured(byte[] body, boolean complete, InputStream overflow) {
    this.captured = true;
    this.body = body;
    this.complete = complete;
    this.overflow = overflow;
  }

  /** Whether {@link #body()} is the whole body; captures it if not done yet. */
  boolean complete() {
    ensureCaptured();
    return complete;
  }

  /** The captured body (empty when not captured); captures it if not done yet. */
  byte[] body() {
    ensureCaptured();
    return body;
  }

  void onStartAsync(Runnable callback) {
    this.onStartAsync = callback;
  }

  @Override
  public ServletInputStream getInputStream() throws IOException {
    capture();
    if (!complete && overflow == null) {
      return super.getInputStream(); // multipart: the container owns the body
    }
    streamTaken = true;
    return new Stream(complete ? new ByteArrayInputStream(body) : overflow);
  }

  @Override
  public BufferedReader getReader() throws IOException {
    capture();
    if (!complete && overflow == null) {
      return super.getReader();
    }
    return new BufferedReader(new InputStreamReader(getInputStream(), charset()));
  }

  @Override
  public synchronized int getContentLength() {
    return captured && complete ? body.length : super.getContentLength();
  }

  @Override
  public synchronized long getContentLengthLong() {
    return captured && complete ? body.length : super.getContentLengthLong();
  }

  @Override
  public String getParameter(String name) {
    String[] values = parameters().get(name);
    return values == null || values.length == 0 ? null : values[0];
  }

  @Override
  public Map<String, String[]> getParameterMap() {
    return parameters();
  }

  @Override
  public Enumeration<String> getParameterNames() {
    return Collections.enumeration(parameters().keySet());
  }

  @Override
  public String[] getParameterValues(String name) {
    String[] values = parameters().get(name);
    return values == null ? null : values.clone();
  }

  @Override
  public Collection<Part> getParts() throws IOException, ServletException {
    if (!multipart || !complete) { // a user's multipart body is never captured: complete is false
      return super.getParts();
    }
    if (body.length > 0) {
      throw new ServletException("the parts of a captured multipart body are not available;"
          + " read it with getInputStream()");
    }
    return List.of();
  }

  @Override
  public Part getPart(String name) throws IOException, ServletException {
    if (!multipart || !complete) {
      return super.getPart(name);
    }
    getParts(); // throws when the parts are not available
    return null;
  }

  @Override
  public RequestDispatcher getRequestDispatcher(String path) {
    RequestDispatcher dispatcher = super.getRequestDispatcher(path);
    return dispatcher != null && TomcatForwards.isTomcat(getServletContext().getServerInfo())
        ? TomcatForwards.shield(dispatcher) : dispatcher;
  }

  @Override
  public AsyncContext startAsync() {
    onStartAsync.run();
    return super.startAsync();
  }

  @Override
  public AsyncContext startAsync(ServletRequest request, ServletResponse response) {
    onStartAsync.run();
    return super.startAsync(request, response);
  }

  private Map<String, String[]> parameters() {
    if (parameters != null) {
      return parameters;
    }
    if (!multipart && !isForm()) {
      parameters = super.getParameterMap(); // nothing to decode from the body: no need to capture it
      return parameters;
    }
    ensureCaptured();
    boolean capturedMultipart = complete && multipart;
    if (!capturedMultipart && (!isForm() || (!complete && overflow == null))) {
      parameters = super.getParameterMap();
      return parameters;
    }
    Map<String, List<String>> merged = new LinkedHashMap<>();
    decode(getQueryString(), StandardCharsets.UTF_8, merged);
    if (complete && !streamTaken && !multipart) {
      decode(new String(body, StandardCharsets.ISO_8859_1), charset(), merged);
    }
    Map<String, String[]> result = new LinkedHashMap<>();
    merged.forEach((k, v) -> result.put(k, v.toArray(new String[0])));
    parameters = Collections.unmodifiableMap(result);
    return parameters;
  }

  private static boolean isMultipart(String contentType) {
    return startsWithIgnoringCase(contentType, "multipart/");
  }

  private boolean isForm() {
    return startsWithIgnoringCase(getContentType(), "application/x-www-form-urlencoded");
  }

  /** Whether {@code s} starts with the lower-case ASCII {@code prefix}, in any case (no copy of {@code s}). */
  private static boolean startsWithIgnoringCase(String s, String prefix) {
    return s != null && s.regionMatches(true, 0, prefix, 0, prefix.length());
  }

  private Charset charset() {
    String enc = getCharacterEncoding();
    try {
      return enc == null ? StandardCharsets.UTF_8 : Charset.forName(enc);
    } catch (IllegalArgumentException e) {
      return StandardCharsets.UTF_8;
    }
  }

  private static void decode(String encoded, Charset charset, Map<String, List<String>> into) {
    if (encoded == null || encoded.isEmpty()) {
      return;
    }
    for (String pair : encoded.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      try {
        into.computeIfAbsent(urlDecode(key, charset), k -> new ArrayList<>()).add(urlDecode(value, charset));
      } catch (IllegalArgumentException malformed) {
        // a malformed escape: skip the pair, as containers do
      }
    }
  }

  private static String urlDecode(String s, Charset charset) {
    // The body was read as ISO-8859-1 so that each byte is one char; re-decode escapes in charset.
    byte[] raw = s.getBytes(StandardCharsets.ISO_8859_1);
    String ascii = new String(raw, charset);
    return URLDecoder.decode(ascii, charset);
  }

  /** A ServletInputStream over captured bytes, always ready. */
  private static final class Stream extends ServletInputStream {
    private final InputStream in;
    private boolean finished;

    Stream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int b = in.read();
      finished = b == -1;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = in.read(b, off, len);
      finished = n == -1;
      return n;
    }

    @Override
    public boolean isFinished() {
      return finished;
    }

    @Override
    public boolean isReady() {
      return true;
    }

    @Override
    public void setReadListener(ReadListener listener) {
      try {
        listener.onDataAvailable();
        listener.onAllDataRead();
      } catch (IOException e) {
        listener.onError(e);
      }
    }
  }

}
