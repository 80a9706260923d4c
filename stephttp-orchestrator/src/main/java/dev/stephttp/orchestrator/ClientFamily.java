package dev.stephttp.orchestrator;

/**
 * Which client dialect created a run, decided by the trigger event name (docs/protocol.md §12).
 * {@code GO} = {@code http/run.started}; {@code TS} = {@code inngest/http.request}, which is
 * also what the Java client sends (request version 2).
 */
enum ClientFamily {
  GO,
  TS;

  static final String GO_EVENT = "http/run.started";
  static final String TS_EVENT = "inngest/http.request";

  static ClientFamily ofEventName(String name) {
    return GO_EVENT.equals(name) ? GO : TS;
  }
}
