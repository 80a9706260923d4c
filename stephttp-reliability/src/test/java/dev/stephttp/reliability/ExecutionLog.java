package dev.stephttp.reliability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The chaos app's record of every step body it ran, one line per execution, forced to disk before
 * the step returns its value, so that it survives a SIGKILL of the app and the checker can count
 * executions across restarts. A line reads {@code <runKey> <step> <attempt> <runId> <value>
 * <startMs> <endMs> <ok|fail>}. Appending is thread-safe.
 */
final class ExecutionLog implements AutoCloseable {
  /** One step execution as logged. */
  record Line(String key, String step, int attempt, String runId, String value, long startMs, long endMs,
      boolean ok) {
    static Line parse(String text) {
      String[] f = text.split(" ");
      if (f.length != 8) {
        throw new IllegalArgumentException("not an execution log line: " + text);
      }
      return new Line(f[0], f[1], Integer.parseInt(f[2]), f[3], f[4], Long.parseLong(f[5]),
          Long.parseLong(f[6]), f[7].equals("ok"));
    }

    String format() {
      return key + " " + step + " " + attempt + " " + runId + " " + value + " " + startMs + " " + endMs + " "
          + (ok ? "ok" : "fail");
    }
  }

  private final FileChannel channel;
  /** Executions so far per {@code runId/step}, including those of earlier app processes. */
  private final Map<String, Integer> attempts = new HashMap<>();

  private ExecutionLog(FileChannel channel) {
    this.channel = channel;
  }

  /** Opens {@code file} for appending; the attempts already in it count. */
  static ExecutionLog open(Path file) throws IOException {
    ExecutionLog log = new ExecutionLog(FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE, StandardOpenOption.APPEND));
    for (Line line : read(file)) {
      log.attempts.merge(line.runId() + "/" + line.step(), 1, Integer::sum);
    }
    return log;
  }

  /** The number the next execution of {@code step} in run {@code runId} gets (1 for the first). */
  synchronized int nextAttempt(String runId, String step) {
    return attempts.merge(runId + "/" + step, 1, Integer::sum);
  }

  /** Appends {@code line} and forces it to disk. */
  synchronized void append(Line line) {
    ByteBuffer bytes = ByteBuffer.wrap((line.format() + "\n").getBytes(StandardCharsets.UTF_8));
    try {
      while (bytes.hasRemaining()) {
        channel.write(bytes);
      }
      channel.force(true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot append to the execution log", e);
    }
  }

  /**
   * Every complete line of {@code file} (a line cut short by a SIGKILL in the middle of a write is
   * skipped: its step never returned).
   */
  static List<Line> read(Path file) throws IOException {
    List<Line> lines = new ArrayList<>();
    if (!Files.exists(file)) {
      return lines;
    }
    String text = Files.readString(file, StandardCharsets.UTF_8);
    int end = text.lastIndexOf('\n');
    if (end < 0) {
      return lines;
    }
    for (String l : text.substring(0, end).split("\n")) {
      if (!l.isBlank()) {
        lines.add(Line.parse(l));
      }
    }
    return lines;
  }

  /** Executions of {@code file} grouped by {@code runId/step}. */
  static Map<String, List<Line>> byRunAndStep(Path file) throws IOException {
    Map<String, List<Line>> grouped = new HashMap<>();
    for (Line line : read(file)) {
      grouped.computeIfAbsent(line.runId() + "/" + line.step(), k -> new ArrayList<>()).add(line);
    }
    return grouped;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }
}
