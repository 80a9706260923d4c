package dev.stephttp.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.LocalConnector;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What {@code StepHttpFilter} costs a request that calls no step: one full request and response
 * through Jetty, to the servlets of {@link FilterLoad#context} ({@code /plain} without the filter,
 * {@code /filtered} behind it, the same handler). The requests go through a {@link LocalConnector}
 * (in process, no socket, one keep-alive connection reused): that isolates the work of the
 * container and the filter from the kernel and the network, whose cost is the same with and
 * without the filter. The filters' orchestrator URL is a port nothing listens on: a request without
 * a step contacts no orchestrator (a request that did would fail its check, not time a network call).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 8, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 3, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class FilterBenchmark {
  /** A small JSON body, as a POST to a durable endpoint might carry (the handler never reads it). */
  static final String JSON = "{\"order\":\"o-1\",\"customer\":\"c-4711\",\"lines\":[{\"sku\":\"SKU-1\",\"qty\":2}]}";

  /** {@code GET}, or {@code POST} with {@link #JSON} (unread by the handler). */
  @Param({"GET", "POST"})
  public String method;

  /**
   * {@code /plain}: the servlet without the filter; {@code /filtered}: behind it, no step called.
   * JMH's {@code -p path=/plain-writer,/filtered-writer} measures the same pair answering through
   * {@code getWriter()}.
   */
  @Param({"/plain", "/filtered"})
  public String path;

  private Server server;
  private LocalConnector.LocalEndPoint endpoint;
  private ByteBuffer request;

  @Setup(Level.Trial)
  public void start() throws Exception {
    String head = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nAccept: application/json\r\n";
    String text = method.equals("GET") ? head + "\r\n" : head
        + "Content-Type: application/json\r\nContent-Length: " + JSON.length() + "\r\n\r\n" + JSON;
    request = ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII)).asReadOnlyBuffer();
    QueuedThreadPool pool = new QueuedThreadPool(8, 2);
    pool.setName("app");
    pool.setDaemon(true);
    server = new Server(pool);
    CallerRuns executor = new CallerRuns(pool);
    LocalConnector connector = new LocalConnector(server, executor, null, null, 1,
        new HttpConnectionFactory());
    server.addConnector(connector);
    server.setHandler(FilterLoad.context("http://127.0.0.1:" + Loopback.closedPort(), 0, List.of()));
    server.start();
    endpoint = connector.connect();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (endpoint.getConnection() == null) { // the acceptor, on a pool thread, opens it
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the local connection was not accepted in 10 s");
      }
      Thread.onSpinWait();
    }
    executor.inline = true;
  }

  /**
   * The connector's executor: the pool until the connection is open (the acceptor keeps its pool
   * thread), then the calling thread, so that each request is served on the benchmark's thread
   * without a hand-off to another thread (whose wake-up latency, on a busy machine, would be most
   * of what is measured).
   */
  private static final class CallerRuns implements Executor {
    private final Executor pool;
    volatile boolean inline;

    CallerRuns(Executor pool) {
      this.pool = pool;
    }

    @Override
    public void execute(Runnable task) {
      if (inline) {
        task.run();
      } else {
        pool.execute(task);
      }
    }
  }

  @TearDown(Level.Trial)
  public void stop() throws Exception {
    endpoint.close();
    server.stop();
  }

  /** Sends the request on the kept-alive connection and waits for its whole response (a 200). */
  @Benchmark
  public ByteBuffer exchange(Cpu cpu) throws Exception {
    cpu.requests++;
    endpoint.addInput(request.duplicate());
    ByteBuffer response = endpoint.waitForResponse(false, 10, TimeUnit.SECONDS);
    if (response == null || !startsWith200(response)) {
      throw new IllegalStateException("no 200 response: " + (response == null ? "timed out"
          : StandardCharsets.ISO_8859_1.decode(response.duplicate())));
    }
    return response;
  }

  /**
   * The CPU time of the benchmark's thread over each iteration, and the requests it served (JMH
   * reports both as secondary results): with the connection served inline, this is the CPU time
   * of the requests themselves, which other processes on a busy machine do not inflate the way
   * they inflate the elapsed time. The garbage collector's threads are not counted.
   */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.EVENTS)
  public static class Cpu {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
    /** CPU nanoseconds of the benchmark's thread in the iteration. */
    public long cpuNs;
    /** Requests served in the iteration. */
    public long requests;
    private long startedNs;

    @Setup(Level.Iteration)
    public void begin() {
      if (!THREADS.isCurrentThreadCpuTimeSupported()) {
        throw new IllegalStateException("this JVM cannot measure a thread's CPU time");
      }
      requests = 0;
      cpuNs = 0;
      startedNs = THREADS.getCurrentThreadCpuTime();
    }

    @TearDown(Level.Iteration)
    public void end() {
      cpuNs = THREADS.getCurrentThreadCpuTime() - startedNs;
    }
  }

  private static boolean startsWith200(ByteBuffer b) {
    // "HTTP/1.1 200 "
    return b.remaining() > 12 && b.get(b.position() + 9) == '2' && b.get(b.position() + 10) == '0'
        && b.get(b.position() + 11) == '0';
  }
}
