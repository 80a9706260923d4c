package dev.stephttp.benchmarks;

import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;

/**
 * The physical limits the orchestrator figures are compared with: the latency of one durable
 * append (4 KiB write + fsync, what a SQLite WAL commit with synchronous=FULL costs at least)
 * and the request rate of a Jetty servlet that only reads the JSON body and answers 200, with
 * the same driver and connection count (what HTTP alone allows on this machine).
 */
final class Limits {
  private Limits() {}

  /**
   * Adds the two limit rows of one round; returns the HTTP ceiling in requests/s. The ceiling
   * warms up as long as the rows it is compared with ({@code warmupMillis}).
   */
  static double measure(Args a, Summary s, int round, long warmupMillis) throws Exception {
    Latencies fsync = fsync(Files.createTempDirectory("stephttp-bench-fsync"),
        a.integer("fsync-samples", 300));
    s.add("limit: 4 KiB append + fsync (" + fsync.count() + " samples)", "run p50 ms",
        fsync.percentileMillis(0.5));
    s.add("limit: 4 KiB append + fsync (" + fsync.count() + " samples)", "run p99 ms",
        fsync.percentileMillis(0.99));
    int connections = a.integer("connections", 64);
    Load.Result http = httpCeiling(connections, warmupMillis, a.integer("measure-ms", 10_000));
    String row = "limit: HTTP POST → 200 servlet, no store (2 req = 1 \"run\")";
    s.add(row, "runs/s", http.perSecond() / 2);
    s.add(row, "HTTP req/s", http.perSecond());
    s.add(row, "run p50 ms", http.latencies().percentileMillis(0.5));
    s.add(row, "run p99 ms", http.latencies().percentileMillis(0.99));
    System.err.printf("round %d fsync p50 %.2f ms p99 %.2f ms; HTTP ceiling %.0f req/s%n", round,
        fsync.percentileMillis(0.5), fsync.percentileMillis(0.99), http.perSecond());
    return http.perSecond();
  }

  static Latencies fsync(Path dir, int samples) throws IOException {
    Latencies lat = new Latencies();
    Path file = dir.resolve("fsync.bin");
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE,
        StandardOpenOption.WRITE)) {
      ByteBuffer page = ByteBuffer.allocate(4096);
      for (int i = 0; i < samples; i++) {
        page.clear();
        long t0 = System.nanoTime();
        ch.write(page, (long) i * 4096);
        ch.force(false);
        lat.add(System.nanoTime() - t0);
      }
    } finally {
      Bench.deleteTree(dir);
    }
    return lat;
  }

  static Load.Result httpCeiling(int connections, long warmup, long measure)
      throws Exception {
    ServletContextHandler context = new ServletContextHandler();
    context.setContextPath("/");
    byte[] ok = "{\"data\":{\"ok\":true}}".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    context.addServlet(new ServletHolder(new HttpServlet() {
      private static final long serialVersionUID = 1L;

      @Override
      protected void doPost(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        dev.stephttp.internal.wire.Json.mapper().readTree(req.getInputStream());
        resp.setStatus(200);
        resp.setContentType("application/json");
        resp.setContentLength(ok.length);
        resp.getOutputStream().write(ok);
      }
    }), "/*");
    Server server = Loopback.start("ceiling", 200, 8, context);
    try {
      String base = Loopback.url(server);
      String body = Bodies.create(Bodies.runId(), "http://127.0.0.1:9", "/load",
          Bodies.stepRun("a", "{\"order\":\"o-1\",\"total\":4200}"));
      return Load.closed(base, connections, warmup, measure, Long.MAX_VALUE,
          (http, t, seq) -> OrchestratorLoad.expect200(http.post("/v1/checkpoint", body)));
    } finally {
      server.stop();
    }
  }
}
