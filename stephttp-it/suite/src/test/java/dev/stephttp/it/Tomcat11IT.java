package dev.stephttp.it;

/** The scenario suite on embedded Tomcat 11 (Servlet 6.1). */
class Tomcat11IT extends ContainerScenarios {
  @Override
  protected Container container() {
    return new TomcatContainer();
  }

  @Override
  protected String expectedVersionPrefix() {
    return "Apache Tomcat/11.0.";
  }
}
