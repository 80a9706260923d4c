package dev.stephttp.it;

import jakarta.servlet.DispatcherType;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.catalina.Wrapper;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.startup.Tomcat;
import org.apache.catalina.util.ServerInfo;
import org.apache.tomcat.util.descriptor.web.FilterDef;
import org.apache.tomcat.util.descriptor.web.FilterMap;
import org.apache.tomcat.util.scan.StandardJarScanner;

/**
 * Embedded Tomcat ({@code tomcat-embed-core}); the same class runs Tomcat 11 and Tomcat 10.1,
 * whichever is on the class path.
 */
public final class TomcatContainer implements Container {
  /** Held so that the level stays set: Tomcat logs every start at INFO through JUL. */
  private static final Logger TOMCAT_LOG = Logger.getLogger("org.apache");

  static {
    TOMCAT_LOG.setLevel(Level.WARNING);
  }

  @Override
  public String version() {
    return ServerInfo.getServerInfo();
  }

  @Override
  @SuppressWarnings("deprecation") // the mapping call both Tomcat 10.1 and 11 have; 11 deprecates it
  public Running start(App app) throws Exception {
    Path base = Files.createTempDirectory("stephttp-it-tomcat");
    Tomcat tomcat = tomcat(base);
    StandardContext ctx = (StandardContext) tomcat.addContext("", base.toString());
    quietLeakChecks(ctx);
    for (App.FilterMount f : app.filters()) {
      FilterDef def = new FilterDef();
      def.setFilterName(f.name());
      def.setFilter(f.filter());
      def.setFilterClass(f.filter().getClass().getName());
      def.setAsyncSupported("true");
      ctx.addFilterDef(def);
      FilterMap map = new FilterMap();
      map.setFilterName(f.name());
      map.addURLPattern(f.pattern());
      map.setDispatcher(DispatcherType.REQUEST.name());
      ctx.addFilterMap(map);
    }
    for (App.ServletMount s : app.servlets()) {
      Wrapper w = Tomcat.addServlet(ctx, s.name(), s.servlet());
      w.setAsyncSupported(true);
      ctx.addServletMappingDecoded(s.pattern(), s.name(), false);
    }
    return started(tomcat);
  }

  @Override
  public boolean deploysWebXml() {
    return true;
  }

  @Override
  public Running startWebApp(Path docBase) throws Exception {
    Tomcat tomcat = tomcat(Files.createTempDirectory("stephttp-it-tomcat"));
    tomcat.setAddDefaultWebXmlToWebapp(false); // no JSP servlet: Jasper is not on the class path
    StandardContext ctx = (StandardContext) tomcat.addWebapp("", docBase.toString());
    quietLeakChecks(ctx);
    // Scanning every jar of the test class path for fragments costs seconds and finds nothing.
    StandardJarScanner scanner = new StandardJarScanner();
    scanner.setScanClassPath(false);
    scanner.setScanManifest(false);
    ctx.setJarScanner(scanner);
    return started(tomcat);
  }

  /** The leak checks at stop need --add-opens and only warn about the test JVM's own threads. */
  private static void quietLeakChecks(StandardContext ctx) {
    ctx.setClearReferencesThreadLocals(false);
    ctx.setClearReferencesRmiTargets(false);
  }

  private static Tomcat tomcat(Path base) {
    Tomcat tomcat = new Tomcat();
    tomcat.setBaseDir(base.toString());
    Connector connector = new Connector("HTTP/1.1");
    connector.setPort(0);
    connector.setProperty("address", "127.0.0.1");
    tomcat.setConnector(connector);
    tomcat.getHost().setAutoDeploy(false);
    tomcat.getHost().setAppBase(base.resolve("webapps").toString());
    new File(base.toFile(), "webapps").mkdirs();
    return tomcat;
  }

  private static Running started(Tomcat tomcat) throws Exception {
    tomcat.start();
    String url = "http://127.0.0.1:" + tomcat.getConnector().getLocalPort();
    return Running.of(url, () -> {
      tomcat.stop();
      tomcat.destroy();
    });
  }
}
