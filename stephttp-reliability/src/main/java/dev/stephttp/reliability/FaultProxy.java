package dev.stephttp.reliability;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loopback HTTP/1.1 proxy that a test puts between two parties (the app and the orchestrator,
 * either way round) and tells what to do with each request: pass it, delay it, reset the
 * connection, blackhole it, or answer a 5xx or 429 itself ({@link Fault}).
 *
 * <p>The fault is chosen per request, when the request has been read in full, from the rules
 * given to {@link #inject}: the newest rule whose predicate matches wins, and a request no rule
 * matches passes. A connection's first request therefore also decides the connection's fate
 * (a reset or blackhole ends it). Passed requests go over one upstream connection per caller
 * connection, byte for byte; answers are relayed as they come.
 *
 * <p>Plain sockets and at most {@code maxThreads} threads (two per open connection); when they run
 * out, a new connection is reset. {@link #close()} closes every socket and stops every thread.
 * Thread-safe.
 */
public final class FaultProxy implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(FaultProxy.class);
  private static final int DEFAULT_MAX_THREADS = 64;

  /**
   * One request as the rules see it.
   *
   * @param method the request method
   * @param target the request target (path and query)
   * @param headers header names in lower case, each with its first value
   */
  public record Request(String method, String target, Map<String, String> headers) {
    /** The first value of header {@code name} (any case), or null. */
    public @Nullable String header(String name) {
      return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The target without its query. */
    public String path() {
      int q = target.indexOf('?');
      return q < 0 ? target : target.substring(0, q);
    }
  }

  private record Rule(Predicate<Request> which, Fault fault) {}

  private final String name;
  private final InetSocketAddress upstream;
  private final ServerSocket server;
  private final ThreadPoolExecutor threads;
  private final CopyOnWriteArrayList<Rule> rules = new CopyOnWriteArrayList<>();
  private final Set<Link> links = ConcurrentHashMap.newKeySet();
  private final Set<Link> blackholed = ConcurrentHashMap.newKeySet();
  private final AtomicInteger requests = new AtomicInteger();
  private final Map<Fault.Kind, AtomicInteger> injected = new EnumMap<>(Fault.Kind.class);
  private volatile boolean closed;

  private FaultProxy(String name, InetSocketAddress upstream, int maxThreads) throws IOException {
    this.name = name;
    this.upstream = upstream;
    for (Fault.Kind k : Fault.Kind.values()) {
      injected.put(k, new AtomicInteger());
    }
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    AtomicInteger n = new AtomicInteger();
    this.threads = new ThreadPoolExecutor(0, maxThreads, 10, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
      Thread t = new Thread(r, "fault-proxy-" + name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    });
    threads.execute(this::accept);
  }

  /**
   * Starts a proxy on 127.0.0.1 and a free port in front of {@code 127.0.0.1:upstreamPort}, passing
   * everything until told otherwise.
   *
   * @param name names the proxy's threads and log lines (e.g. {@code "app->orchestrator"})
   */
  public static FaultProxy start(String name, int upstreamPort) {
    return start(name, upstreamPort, DEFAULT_MAX_THREADS);
  }

  /** As {@link #start(String, int)}, with at most {@code maxThreads} threads (at least 3). */
  public static FaultProxy start(String name, int upstreamPort, int maxThreads) {
    Objects.requireNonNull(name, "name == null");
    if (upstreamPort < 1 || upstreamPort > 65535) {
      throw new IllegalArgumentException("upstreamPort must be in 1..65535, was " + upstreamPort);
    }
    if (maxThreads < 3) {
      throw new IllegalArgumentException("maxThreads must be at least 3, was " + maxThreads);
    }
    try {
      return new FaultProxy(name, new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort), maxThreads);
    } catch (IOException e) {
      throw new IllegalStateException("cannot open a loopback port for proxy " + name, e);
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** The port the proxy listens on. */
  public int port() {
    return server.getLocalPort();
  }

  /** Applies {@code fault} to every request read from now on (until {@link #clear()}). */
  public void inject(Fault fault) {
    inject(fault, r -> true);
  }

  /** Applies {@code fault} to the requests {@code which} accepts; newer rules take precedence. */
  public void inject(Fault fault, Predicate<Request> which) {
    Objects.requireNonNull(fault, "fault == null");
    Objects.requireNonNull(which, "which == null");
    rules.add(0, new Rule(which, fault));
  }

  /**
   * Drops every rule, so requests pass again, and resets the connections held by a blackhole (as
   * when a partition heals and the peer's stale connections are found dead), so callers retry now
   * rather than after their own timeout.
   */
  public void clear() {
    rules.clear();
    for (Link l : blackholed) {
      l.reset();
    }
    blackholed.clear();
  }

  /** Sets {@link #requests()} and every {@link #injected()} count back to zero. */
  public void resetCounts() {
    requests.set(0);
    injected.values().forEach(n -> n.set(0));
  }

  /** Requests read since the start or {@link #resetCounts()}, whatever was done with them. */
  public int requests() {
    return requests.get();
  }

  /** Requests that met a fault other than {@link Fault.Kind#PASS}. */
  public int injected() {
    return injected.entrySet().stream().filter(e -> e.getKey() != Fault.Kind.PASS)
        .mapToInt(e -> e.getValue().get()).sum();
  }

  /** Requests that met a fault of {@code kind}. */
  public int injected(Fault.Kind kind) {
    return injected.get(Objects.requireNonNull(kind, "kind == null")).get();
  }

  /** Connections open towards the caller. */
  public int openConnections() {
    return links.size();
  }

  /** Closes the listening socket and every connection, and stops the proxy's threads. */
  @Override
  public void close() {
    closed = true;
    closeQuietly(server);
    for (Link l : links) {
      l.close();
    }
    threads.shutdownNow();
    try {
      if (!threads.awaitTermination(5, TimeUnit.SECONDS)) {
        log.warn("proxy {}: threads still running 5 s after close", name);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public String toString() {
    return "FaultProxy{" + name + ", " + url() + " -> " + upstream.getPort() + "}";
  }

  private void accept() {
    while (!closed) {
      Socket client;
      try {
        client = server.accept();
      } catch (IOException e) {
        if (!closed) {
          log.warn("proxy {}: accept failed: {}", name, e.toString());
        }
        return;
      }
      Link link = new Link(client);
      links.add(link);
      if (!spawn(() -> serve(link))) {
        link.reset();
      }
    }
  }

  private boolean spawn(Runnable task) {
    try {
      threads.execute(task);
      return true;
    } catch (RejectedExecutionException e) {
      if (!closed) {
        log.warn("proxy {}: out of threads, resetting a connection", name);
      }
      return false;
    }
  }

  private Fault faultFor(Request request) {
    for (Rule r : rules) {
      if (r.which().test(request)) {
        return r.fault();
      }
    }
    return Fault.pass();
  }

  /** Reads the caller's requests one after another and does with each what its fault says. */
  private void serve(Link link) {
    try {
      InputStream in = new BufferedInputStream(link.client.getInputStream());
      while (!closed) {
        HttpFraming.RawRequest raw = HttpFraming.read(in);
        if (raw == null) {
          return;
        }
        requests.incrementAndGet();
        Fault fault = faultFor(raw.request());
        injected.get(fault.kind()).incrementAndGet();
        switch (fault.kind()) {
          case PASS -> link.forward(raw.bytes());
          case DELAY -> {
            Thread.sleep(fault.delay().toMillis());
            link.forward(raw.bytes());
          }
          case RESET -> {
            link.reset();
            return;
          }
          case BLACKHOLE -> {
            blackholed.add(link);
            in.transferTo(OutputStream.nullOutputStream()); // until the caller or clear() ends it
            return;
          }
          case STATUS -> link.answer(fault);
          case RESET_AFTER_FORWARDING -> {
            link.forwardThenReset(raw.bytes());
            return;
          }
        }
      }
    } catch (IOException e) {
      log.debug("proxy {}: connection ended: {}", name, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      link.close();
    }
  }

  /** One caller connection and, once a request passed, its upstream connection. */
  private final class Link {
    final Socket client;
    private final Object writeLock = new Object();
    private @Nullable Socket upstreamSocket;

    Link(Socket client) {
      this.client = client;
    }

    void forward(byte[] request) throws IOException {
      Socket up;
      synchronized (this) {
        up = upstreamSocket;
        if (up == null) {
          up = connectUpstream();
          upstreamSocket = up;
          Socket relayed = up;
          if (!spawn(() -> relay(relayed))) {
            throw new IOException("out of threads");
          }
        }
      }
      OutputStream out = up.getOutputStream();
      out.write(request);
      out.flush();
    }

    /** Copies the upstream's answers to the caller until the upstream closes. */
    private void relay(Socket up) {
      byte[] buffer = new byte[16 * 1024];
      try (InputStream in = up.getInputStream()) {
        OutputStream out = client.getOutputStream();
        int n;
        while ((n = in.read(buffer)) >= 0) {
          synchronized (writeLock) {
            out.write(buffer, 0, n);
            out.flush();
          }
        }
      } catch (IOException e) {
        log.debug("proxy {}: relay ended: {}", name, e.toString());
      } finally {
        close();
      }
    }

    void answer(Fault fault) throws IOException {
      int status = fault.status();
      byte[] body = ("{\"error\":\"injected by FaultProxy: " + status + "\"}").getBytes(StandardCharsets.UTF_8);
      StringBuilder head = new StringBuilder()
          .append("HTTP/1.1 ").append(status).append(status == 429 ? " Too Many Requests" : " Injected Fault")
          .append("\r\nContent-Type: application/json\r\nContent-Length: ").append(body.length).append("\r\n");
      if (status == 429) {
        head.append("Retry-After: ").append(fault.retryAfter().toSeconds()).append("\r\n");
      }
      head.append("\r\n");
      synchronized (writeLock) {
        OutputStream out = client.getOutputStream();
        out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
        out.write(body);
        out.flush();
      }
    }

    /** Sends the request on a connection of its own, waits for the answer's first byte, resets. */
    void forwardThenReset(byte[] request) throws IOException {
      try (Socket up = connectUpstream()) {
        up.setSoTimeout(30_000);
        up.getOutputStream().write(request);
        up.getOutputStream().flush();
        up.getInputStream().read();
      } finally {
        reset();
      }
    }

    private Socket connectUpstream() throws IOException {
      Socket up = new Socket();
      up.connect(upstream, 5_000);
      up.setTcpNoDelay(true);
      return up;
    }

    /** RST instead of FIN: {@code SO_LINGER} 0, then close. */
    void reset() {
      try {
        client.setSoLinger(true, 0);
      } catch (IOException e) {
        log.debug("proxy {}: SO_LINGER: {}", name, e.toString());
      }
      close();
    }

    void close() {
      closeQuietly(client);
      Socket up;
      synchronized (this) {
        up = upstreamSocket;
      }
      if (up != null) {
        closeQuietly(up);
      }
      links.remove(this);
      blackholed.remove(this);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // closing: nothing left to do with the error
    }
  }
}
