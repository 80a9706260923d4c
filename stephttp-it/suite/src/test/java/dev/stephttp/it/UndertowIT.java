package dev.stephttp.it;

/** The scenario suite on embedded Undertow 2.3 (Servlet 6.0). */
class UndertowIT extends ContainerScenarios {
  @Override
  protected Container container() {
    return new UndertowContainer();
  }

  @Override
  protected String expectedVersionPrefix() {
    return "Undertow/2.3.";
  }
}
