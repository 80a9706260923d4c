package dev.stephttp.it;

import java.nio.file.Path;

/** A servlet container the suite runs on: starts apps on 127.0.0.1 and a free port. */
public interface Container {
  /** A started app; closing stops its server. */
  interface Running extends AutoCloseable {
    /** {@code http://127.0.0.1:<port>}, the app at the root context. */
    String url();

    /** An app at {@code url} that {@code stop} shuts down. */
    static Running of(String url, AutoCloseable stop) {
      return new Running() {
        @Override
        public String url() {
          return url;
        }

        @Override
        public void close() throws Exception {
          stop.close();
        }
      };
    }
  }

  /** The container and its version, e.g. {@code Apache Tomcat/11.0.27}. */
  String version();

  /** Starts {@code app} at the root context. */
  Running start(App app) throws Exception;

  /** Whether {@link #startWebApp} can deploy an exploded web application with a web.xml. */
  boolean deploysWebXml();

  /**
   * Deploys the exploded web application in {@code docBase} ({@code WEB-INF/web.xml}) at the root
   * context; its classes come from the test's class path.
   *
   * @throws UnsupportedOperationException when {@link #deploysWebXml()} is false
   */
  Running startWebApp(Path docBase) throws Exception;
}
