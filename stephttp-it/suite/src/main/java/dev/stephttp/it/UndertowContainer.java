package dev.stephttp.it;

import io.undertow.Undertow;
import io.undertow.Version;
import io.undertow.server.HttpHandler;
import io.undertow.servlet.Servlets;
import io.undertow.servlet.api.DeploymentInfo;
import io.undertow.servlet.api.DeploymentManager;
import io.undertow.servlet.api.FilterInfo;
import io.undertow.servlet.api.ServletContainer;
import io.undertow.servlet.api.ServletInfo;
import io.undertow.servlet.util.ImmediateInstanceFactory;
import jakarta.servlet.DispatcherType;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/** Embedded Undertow 2.3 ({@code undertow-servlet}, Servlet 6.0). It has no web.xml parser. */
public final class UndertowContainer implements Container {
  @Override
  public String version() {
    return "Undertow/" + Version.getVersionString();
  }

  @Override
  public Running start(App app) throws Exception {
    DeploymentInfo deployment = Servlets.deployment()
        .setClassLoader(UndertowContainer.class.getClassLoader())
        .setContextPath("/")
        .setDeploymentName("stephttp-it");
    for (App.FilterMount f : app.filters()) {
      FilterInfo info = new FilterInfo(f.name(), f.filter().getClass(), new ImmediateInstanceFactory<>(f.filter()));
      info.setAsyncSupported(true);
      deployment.addFilter(info);
      deployment.addFilterUrlMapping(f.name(), f.pattern(), DispatcherType.REQUEST);
    }
    for (App.ServletMount s : app.servlets()) {
      ServletInfo info = new ServletInfo(s.name(), s.servlet().getClass(), new ImmediateInstanceFactory<>(s.servlet()));
      info.addMapping(s.pattern());
      info.setAsyncSupported(true);
      deployment.addServlet(info);
    }
    // A container of its own: two apps in one JVM share nothing.
    DeploymentManager manager = ServletContainer.Factory.newInstance().addDeployment(deployment);
    manager.deploy();
    HttpHandler handler = manager.start();
    Undertow server = Undertow.builder().addHttpListener(0, "127.0.0.1").setHandler(handler).build();
    server.start();
    int port = ((InetSocketAddress) server.getListenerInfo().get(0).getAddress()).getPort();
    String url = "http://127.0.0.1:" + port;
    return Running.of(url, () -> {
      server.stop();
      manager.stop();
      manager.undeploy();
    });
  }

  @Override
  public boolean deploysWebXml() {
    return false;
  }

  @Override
  public Running startWebApp(Path docBase) {
    throw new UnsupportedOperationException("Undertow has no web.xml parser of its own");
  }
}
