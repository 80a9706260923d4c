package dev.stephttp.it;

import jakarta.servlet.DispatcherType;
import java.nio.file.Path;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Jetty;

/** Embedded Jetty 12.1, ee10 (Servlet 6.0). */
public final class JettyContainer implements Container {
  @Override
  public String version() {
    return "Jetty/" + Jetty.VERSION;
  }

  @Override
  public Running start(App app) throws Exception {
    ServletContextHandler ctx = new ServletContextHandler();
    ctx.setContextPath("/");
    for (App.FilterMount f : app.filters()) {
      FilterHolder holder = new FilterHolder(f.filter());
      holder.setName(f.name());
      holder.setAsyncSupported(true);
      ctx.addFilter(holder, f.pattern(), EnumSet.of(DispatcherType.REQUEST));
    }
    for (App.ServletMount s : app.servlets()) {
      ServletHolder holder = new ServletHolder(s.name(), s.servlet());
      holder.setAsyncSupported(true);
      ctx.addServlet(holder, s.pattern());
    }
    return loopback(ctx);
  }

  @Override
  public boolean deploysWebXml() {
    return true;
  }

  @Override
  public Running startWebApp(Path docBase) throws Exception {
    WebAppContext webapp = new WebAppContext();
    webapp.setContextPath("/");
    webapp.setBaseResourceAsPath(docBase);
    // The filter and servlet classes are on the test's class path, not in WEB-INF.
    webapp.setParentLoaderPriority(true);
    return loopback(webapp);
  }

  private static Running loopback(Handler handler) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost("127.0.0.1");
    connector.setPort(0);
    server.addConnector(connector);
    server.setHandler(handler);
    server.start();
    String url = "http://127.0.0.1:" + connector.getLocalPort();
    return Running.of(url, server::stop);
  }
}
