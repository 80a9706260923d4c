package dev.stephttp.servlet;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.Collection;
import java.util.Locale;

/**
 * Keeps the held response alive across a forward on Tomcat. Since Tomcat 11 a forward ends by
 * unwrapping every {@code ServletResponseWrapper} it was given and finishing the container's own
 * response ({@code suspendWrappedResponseAfterForward}, default true), which would drop the body
 * the filter holds back and leave a re-entry nothing to answer with. Tomcat only does that to a
 * wrapper, so the forward is handed a response that delegates to ours without being one. Only used
 * on Tomcat: other containers require the forwarded response to be the original or a wrapper.
 */
final class TomcatForwards {
  private TomcatForwards() {}

  /** Whether {@code serverInfo} (from {@code ServletContext.getServerInfo()}) names Tomcat. */
  static boolean isTomcat(String serverInfo) {
    return serverInfo != null && serverInfo.startsWith("Apache Tomcat");
  }

  /** {@code dispatcher}, with forwards made safe for the held response. */
  static RequestDispatcher shield(RequestDispatcher dispatcher) {
    return new RequestDispatcher() {
      @Override
      public void forward(ServletRequest request, ServletResponse response) throws ServletException, IOException {
        dispatcher.forward(request, response instanceof HttpServletResponse http && !(response instanceof Delegate)
            ? new Delegate(http) : response);
      }

      @Override
      public void include(ServletRequest request, ServletResponse response) throws ServletException, IOException {
        dispatcher.include(request, response);
      }
    };
  }

  /** An {@link HttpServletResponse} that forwards every call and is deliberately not a wrapper. */
  private static final class Delegate implements HttpServletResponse {
    private final HttpServletResponse to;

    Delegate(HttpServletResponse to) {
      this.to = to;
    }

    @Override public void addCookie(Cookie cookie) { to.addCookie(cookie); }
    @Override public boolean containsHeader(String name) { return to.containsHeader(name); }
    @Override public String encodeURL(String url) { return to.encodeURL(url); }
    @Override public String encodeRedirectURL(String url) { return to.encodeRedirectURL(url); }
    @Override public void sendError(int sc, String msg) throws IOException { to.sendError(sc, msg); }
    @Override public void sendError(int sc) throws IOException { to.sendError(sc); }
    @Override public void sendRedirect(String location) throws IOException { to.sendRedirect(location); }
    @Override public void setDateHeader(String name, long date) { to.setDateHeader(name, date); }
    @Override public void addDateHeader(String name, long date) { to.addDateHeader(name, date); }
    @Override public void setHeader(String name, String value) { to.setHeader(name, value); }
    @Override public void addHeader(String name, String value) { to.addHeader(name, value); }
    @Override public void setIntHeader(String name, int value) { to.setIntHeader(name, value); }
    @Override public void addIntHeader(String name, int value) { to.addIntHeader(name, value); }
    @Override public void setStatus(int sc) { to.setStatus(sc); }
    @Override public int getStatus() { return to.getStatus(); }
    @Override public String getHeader(String name) { return to.getHeader(name); }
    @Override public Collection<String> getHeaders(String name) { return to.getHeaders(name); }
    @Override public Collection<String> getHeaderNames() { return to.getHeaderNames(); }
    @Override public String getCharacterEncoding() { return to.getCharacterEncoding(); }
    @Override public String getContentType() { return to.getContentType(); }
    @Override public ServletOutputStream getOutputStream() throws IOException { return to.getOutputStream(); }
    @Override public PrintWriter getWriter() throws IOException { return to.getWriter(); }
    @Override public void setCharacterEncoding(String charset) { to.setCharacterEncoding(charset); }
    @Override public void setContentLength(int len) { to.setContentLength(len); }
    @Override public void setContentLengthLong(long len) { to.setContentLengthLong(len); }
    @Override public void setContentType(String type) { to.setContentType(type); }
    @Override public void setBufferSize(int size) { to.setBufferSize(size); }
    @Override public int getBufferSize() { return to.getBufferSize(); }
    @Override public void flushBuffer() throws IOException { to.flushBuffer(); }
    @Override public void resetBuffer() { to.resetBuffer(); }
    @Override public boolean isCommitted() { return to.isCommitted(); }
    @Override public void reset() { to.reset(); }
    @Override public void setLocale(Locale loc) { to.setLocale(loc); }
    @Override public Locale getLocale() { return to.getLocale(); }
  }
}
