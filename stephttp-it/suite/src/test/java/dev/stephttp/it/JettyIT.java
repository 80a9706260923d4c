package dev.stephttp.it;

/** The scenario suite on embedded Jetty 12.1 (ee10, Servlet 6.0). */
class JettyIT extends ContainerScenarios {
  @Override
  protected Container container() {
    return new JettyContainer();
  }

  @Override
  protected String expectedVersionPrefix() {
    return "Jetty/12.1.";
  }
}
