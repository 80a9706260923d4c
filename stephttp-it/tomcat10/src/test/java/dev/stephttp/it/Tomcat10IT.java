package dev.stephttp.it;

/** The scenario suite on embedded Tomcat 10.1 (Servlet 6.0), this module's only container. */
class Tomcat10IT extends ContainerScenarios {
  @Override
  protected Container container() {
    return new TomcatContainer();
  }

  @Override
  protected String expectedVersionPrefix() {
    return "Apache Tomcat/10.1.";
  }
}
