package dev.stephttp.examples;

import dev.stephttp.servlet.StepHttpConfig;
import dev.stephttp.servlet.StepHttpFilter;
import dev.stephttp.servlet.StepHttpServlet;
import jakarta.servlet.DispatcherType;
import java.util.EnumSet;
import java.util.Objects;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * The example app on embedded Jetty, set up in each of the three ways stephttp is used. Each
 * method binds its port first, so that the filter's {@code domain} (the origin the orchestrator
 * calls back; required outside dev mode) is the address the app really listens on, and returns a
 * started server; stop it when done.
 */
public final class ExampleApps {
  private ExampleApps() {}

  /**
   * Usage 1: the filter is declared in {@code WEB-INF/web.xml} (see {@code
   * src/main/resources/webapp}); the orchestrator address, the key and the app's origin are given
   * as context-params.
   */
  public static Server webXml(String host, int port, String orchestratorUrl, String signingKey) throws Exception {
    Server server = bind(host, port);
    WebAppContext context = new WebAppContext();
    context.setContextPath("/");
    context.setBaseResource(Objects.requireNonNull(
        ResourceFactory.of(context).newClassLoaderResource("webapp/"), "webapp/ is not on the class path"));
    context.setThrowUnavailableOnStartupException(true);
    context.setParentLoaderPriority(true);
    context.setInitParameter("stephttp.baseUrl", orchestratorUrl);
    context.setInitParameter("stephttp.signingKey", signingKey);
    context.setInitParameter("stephttp.domain", origin(server));
    return start(server, context);
  }

  /** Usage 2: {@link StepHttpServlet} wraps existing servlets, for code that cannot add a filter. */
  public static Server wrappedServlets(String host, int port, StepHttpConfig.Builder config) throws Exception {
    Server server = bind(host, port);
    StepHttpConfig c = config.domain(origin(server)).build();
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addServlet(new ServletHolder(new StepHttpServlet(new GreetingServlet(), c)), "/greet");
    context.addServlet(new ServletHolder(new StepHttpServlet(new OrderServlet(), c)), "/orders");
    context.addServlet(new ServletHolder(new StepHttpServlet(new ApprovalServlet(), c)), "/approvals");
    context.addServlet(new ServletHolder(new StepHttpServlet(new FlakyPartnerServlet(), c)), "/partner");
    context.addServlet(new ServletHolder(new StepHttpServlet(new QuotesServlet(), c)), "/quotes");
    return start(server, context);
  }

  /** Usage 3: the filter is registered programmatically, here with Jetty's API. */
  public static Server programmaticFilter(String host, int port, StepHttpConfig.Builder config) throws Exception {
    Server server = bind(host, port);
    StepHttpConfig c = config.domain(origin(server)).build();
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    context.addFilter(new FilterHolder(new StepHttpFilter(c)), "/*", EnumSet.of(DispatcherType.REQUEST));
    context.addServlet(GreetingServlet.class, "/greet");
    context.addServlet(OrderServlet.class, "/orders");
    context.addServlet(ApprovalServlet.class, "/approvals");
    context.addServlet(FlakyPartnerServlet.class, "/partner");
    context.addServlet(QuotesServlet.class, "/quotes");
    return start(server, context);
  }

  /** The port a started server listens on. */
  public static int port(Server server) {
    return ((ServerConnector) server.getConnectors()[0]).getLocalPort();
  }

  /** A server whose connector is already bound to {@code host} and {@code port} (0: any free port). */
  private static Server bind(String host, int port) throws Exception {
    Server server = new Server();
    ServerConnector connector = new ServerConnector(server);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setStopTimeout(5000);
    try {
      connector.open();
    } catch (Exception e) {
      server.stop(); // a failed bind (e.g. the port is taken) leaves no threads behind
      throw e;
    }
    return server;
  }

  /** The app's origin as its clients (and the orchestrator) reach it: the bound address. */
  private static String origin(Server server) {
    ServerConnector connector = (ServerConnector) server.getConnectors()[0];
    return "http://" + connector.getHost() + ":" + connector.getLocalPort();
  }

  private static Server start(Server server, org.eclipse.jetty.server.Handler handler) throws Exception {
    server.setHandler(handler);
    try {
      server.start();
    } catch (Exception e) {
      server.stop();
      throw e;
    }
    return server;
  }
}
