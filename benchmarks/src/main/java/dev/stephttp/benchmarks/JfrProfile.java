package dev.stephttp.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * Where the CPU goes in a JFR recording (JDK 17's {@code jfr} tool has no {@code view}):
 * {@code java -jar stephttp-benchmarks.jar jfr FILE [--skip-s S]}. Tallies the
 * {@code jdk.ExecutionSample} events (Java code on the CPU) by top frame, by package group of
 * the top frame, by the nearest stephttp class on the stack and by thread, and the
 * {@code jdk.NativeMethodSample} events outside idle waits (SQLite's C code, socket writes) by
 * top frame and thread. Only events from {@code S} seconds after the first Java sample (skip
 * the start-up and warm-up) to one second before the last count.
 */
final class JfrProfile {
  /** Package prefixes and the group they are reported under; the first match wins. */
  private static final String[][] GROUPS = {
      {"com.nimbusds", "Nimbus JOSE (JWT)"}, {"okhttp3", "okhttp/okio/kotlin"},
      {"okio", "okhttp/okio/kotlin"}, {"kotlin", "okhttp/okio/kotlin"},
      {"jakarta.servlet", "Jetty"}, {"org.eclipse.jetty", "Jetty"},
      {"org.sqlite", "sqlite-jdbc (Java side)"}, {"com.fasterxml.jackson", "Jackson"},
      {"dev.stephttp.orchestrator", "orchestrator"}, {"dev.stephttp", "stephttp core/servlet"},
      {"org.slf4j", "logging"}, {"java.util.regex", "JDK regex"},
      {"java.util.concurrent", "JDK java.util.concurrent"}, {"java.lang.invoke", "JDK invoke"},
      {"sun.security", "JDK crypto"}, {"com.sun.crypto", "JDK crypto"},
      {"java.security", "JDK crypto"}, {"javax.crypto", "JDK crypto"},
      {"sun.nio", "JDK NIO"}, {"java.nio", "JDK NIO"}, {"java.io", "JDK io"},
      {"java.lang", "JDK java.lang (strings, …)"}, {"java.util", "JDK java.util"},
      {"java.time", "JDK time"}, {"jdk.internal", "JDK internal"}};
  private static final Pattern IDLE = Pattern.compile(
      "epoll|accept|poll|park|socketRead|read0|wait|sleep", Pattern.CASE_INSENSITIVE);
  private static final Pattern DIGITS = Pattern.compile("[-_]?\\d+");

  private JfrProfile() {}

  /** One tally: counts by key, printed as the top {@code n} with their share. */
  private static final class Tally {
    private final Map<String, Integer> counts = new HashMap<>();
    private int total;

    void add(String key) {
      counts.merge(key, 1, Integer::sum);
      total++;
    }

    String markdown(String title, int n) {
      StringBuilder sb = new StringBuilder(String.format(Locale.ROOT,
          "%n### %s (%d samples)%n%n| | samples | share |%n|---|---:|---:|%n", title, total));
      counts.entrySet().stream()
          .sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
              .thenComparing(Map.Entry.comparingByKey()))
          .limit(n)
          .forEach(e -> sb.append(String.format(Locale.ROOT, "| `%s` | %d | %.1f%% |%n",
              e.getKey(), e.getValue(), 100.0 * e.getValue() / total)));
      return sb.toString();
    }
  }

  static String run(Path recording, double skipSeconds) throws IOException {
    List<RecordedEvent> java = new ArrayList<>();
    List<RecordedEvent> nativeSamples = new ArrayList<>();
    try (RecordingFile file = new RecordingFile(recording)) {
      while (file.hasMoreEvents()) {
        RecordedEvent e = file.readEvent();
        String type = e.getEventType().getName();
        if (type.equals("jdk.ExecutionSample")) {
          java.add(e);
        } else if (type.equals("jdk.NativeMethodSample")) {
          nativeSamples.add(e);
        }
      }
    }
    if (java.isEmpty()) {
      throw new IllegalArgumentException("no jdk.ExecutionSample events in " + recording);
    }
    Instant first = java.stream().map(RecordedEvent::getStartTime).min(Instant::compareTo)
        .orElseThrow();
    Instant last = java.stream().map(RecordedEvent::getStartTime).max(Instant::compareTo)
        .orElseThrow();
    Instant from = first.plusMillis((long) (skipSeconds * 1000));
    Instant to = last.minusSeconds(1);
    Tally frames = new Tally();
    Tally packages = new Tally();
    Tally owners = new Tally();
    Tally threads = new Tally();
    for (RecordedEvent e : java) {
      List<RecordedFrame> stack = stack(e, from, to);
      if (stack.isEmpty()) {
        continue;
      }
      RecordedFrame top = stack.get(0);
      frames.add(method(top));
      packages.add(group(packageOf(top)));
      owners.add(stack.stream().filter(f -> packageOf(f).startsWith("dev.stephttp"))
          .map(JfrProfile::simpleClass).findFirst().orElse("(no stephttp frame)"));
      threads.add(thread(e.getThread("sampledThread")));
    }
    Tally nativeFrames = new Tally();
    Tally nativeThreads = new Tally();
    for (RecordedEvent e : nativeSamples) {
      List<RecordedFrame> stack = stack(e, from, to);
      if (!stack.isEmpty() && !IDLE.matcher(method(stack.get(0))).find()) {
        nativeFrames.add(method(stack.get(0)));
        nativeThreads.add(thread(e.getThread("sampledThread")));
      }
    }
    return String.format(Locale.ROOT, "%nJFR %s: %.1f s from %s (the first %.0f s of samples"
        + " skipped)%n", recording.getFileName(), (to.toEpochMilli() - from.toEpochMilli())
        / 1000.0, from, skipSeconds)
        + frames.markdown("Java samples: top 15 frames (self)", 15)
        + packages.markdown("Java samples by package group of the top frame", 25)
        + owners.markdown("Java samples by the nearest stephttp class on the stack", 20)
        + threads.markdown("Java samples by thread", 10)
        + nativeFrames.markdown("Native-method samples outside idle waits, top frames", 10)
        + nativeThreads.markdown("Native-method samples outside idle waits, by thread", 10);
  }

  private static List<RecordedFrame> stack(RecordedEvent e, Instant from, Instant to) {
    Instant t = e.getStartTime();
    if (t.isBefore(from) || t.isAfter(to) || e.getStackTrace() == null) {
      return List.of();
    }
    return e.getStackTrace().getFrames();
  }

  private static String method(RecordedFrame f) {
    return f.getMethod().getType().getName() + "." + f.getMethod().getName();
  }

  private static String packageOf(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    int dot = type.lastIndexOf('.');
    return dot < 0 ? "" : type.substring(0, dot);
  }

  private static String simpleClass(RecordedFrame f) {
    String type = f.getMethod().getType().getName();
    String simple = type.substring(type.lastIndexOf('.') + 1);
    int inner = simple.indexOf('$');
    return inner < 0 ? simple : simple.substring(0, inner);
  }

  static String group(String pkg) {
    for (String[] g : GROUPS) {
      if (pkg.equals(g[0]) || pkg.startsWith(g[0] + ".")) {
        return g[1];
      }
    }
    return pkg;
  }

  private static String thread(RecordedThread t) {
    if (t == null) {
      return "(unknown)";
    }
    String name = t.getJavaName() != null ? t.getJavaName() : t.getOSName();
    return DIGITS.matcher(name).replaceAll("-N");
  }
}
