package dev.stephttp.orchestrator.model;

/**
 * Which client dialect created a run, decided by the trigger event name (docs/protocol.md §12).
 * {@code GO} = {@code http/run.started}; {@code TS} = {@code inngest/http.request}, which is
 * also what the Java client sends (request version 2).
 */
public enum ClientFamily {
  GO,
  TS;

  public static final String GO_EVENT = "http/run.started";
  public static final String TS_EVENT = "inngest/http.request";

  public static ClientFamily ofEventName(String name) {
    return GO_EVENT.equals(name) ? GO : TS;
  }
}
