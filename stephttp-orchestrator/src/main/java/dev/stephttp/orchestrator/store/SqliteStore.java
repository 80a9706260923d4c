package dev.stephttp.orchestrator.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite (WAL) store with group commit: one writer thread takes every pending write request,
 * runs each inside one transaction, sends their writes as one multi-row statement per table,
 * commits once, and only then completes the requests' futures. Reads use a second connection (WAL readers never block the writer).
 *
 * <p>Durability: {@code synchronous=FULL} — in WAL mode this fsyncs the WAL on every commit, so
 * an acknowledged checkpoint survives a power loss, not only a process crash. Group commit keeps
 * that to one fsync per batch instead of one per request.
 *
 * <p>{@link #temporary()} is the same store on a database file in a fresh private directory,
 * deleted on {@link #close()} ({@code Orchestrator.inMemory()}): a file rather than SQLite's
 * {@code :memory:}, because an in-memory database belongs to one connection and this store reads
 * on a second one (a shared-cache database would trade WAL's non-blocking readers for table
 * locks), so a temporary store behaves exactly like a durable one. Nothing of it outlives the
 * store, so it skips the fsyncs ({@code synchronous=OFF}).
 */
public final class SqliteStore implements Store {
  private static final Logger LOG = LoggerFactory.getLogger(SqliteStore.class);
  private static final int MAX_BATCH = 256;
  private static final String TEMP_IN_MEMORY = "PRAGMA temp_store = MEMORY";

  private final Connection writeConn;
  private final Connection readConn;
  private final SqlTx writeTx;
  private final SqlTx readTx;
  private final BlockingQueue<Task<?>> queue = new LinkedBlockingQueue<>();
  private final Thread writer;
  private final AtomicLong commits = new AtomicLong();
  private final AtomicLong writes = new AtomicLong();
  private final int maxBatch;
  /** The private directory of a {@link #temporary()} store (deleted on close), else null. */
  private final Path tempDir;
  private final Path file;
  private volatile boolean closed;
  private volatile long writeStatementCount;

  private static final class Task<T> {
    final TxWork<T> work;
    final CompletableFuture<T> future = new CompletableFuture<>();
    T result;
    Throwable error;
    List<Runnable> callbacks = List.of();

    Task(TxWork<T> work) {
      this.work = work;
    }

    void complete() {
      if (error != null) {
        future.completeExceptionally(error);
      } else {
        future.complete(result);
      }
    }
  }

  public SqliteStore(Path file) {
    this(file, true);
  }

  /** With {@code groupCommit} false every write request gets its own transaction and fsync. */
  public SqliteStore(Path file, boolean groupCommit) {
    this(file, groupCommit, null);
  }

  /** A store on a new database in a private temporary directory, deleted on {@link #close()}. */
  public static SqliteStore temporary() {
    Path dir;
    try {
      dir = Files.createTempDirectory("stephttp-");
    } catch (IOException e) {
      throw new StoreException("cannot create a temporary directory for the database", e);
    }
    try {
      return new SqliteStore(dir.resolve("stephttp.db"), true, dir);
    } catch (RuntimeException e) {
      deleteTree(dir);
      throw e;
    }
  }

  private SqliteStore(Path file, boolean groupCommit, Path tempDir) {
    this.maxBatch = groupCommit ? MAX_BATCH : 1;
    this.tempDir = tempDir;
    this.file = file.toAbsolutePath();
    try {
      String url = "jdbc:sqlite:" + file.toAbsolutePath();
      java.util.Properties props = new java.util.Properties();
      // Without this, sqlite-jdbc runs a regex on every update and "SELECT last_insert_rowid()"
      // after every INSERT; SqlTx asks for the rowid itself where it needs one.
      props.setProperty("jdbc.get_generated_keys", "false");
      writeConn = DriverManager.getConnection(url, props);
      try (Statement s = writeConn.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        try (ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
          rs.next();
          String mode = rs.getString(1);
          if (!"wal".equalsIgnoreCase(mode)) {
            throw new StoreException("could not enable WAL, journal_mode=" + mode, null);
          }
        }
        s.execute(tempDir == null ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = OFF");
        // Statement journals and sorts in memory: on disk, SQLite created, unlinked and wrote a
        // temporary file for about every group commit (BENCHMARKS.md, issue 10). Neither has to
        // survive a crash: the write-ahead log is what makes a commit durable.
        s.execute(TEMP_IN_MEMORY);
        Schema.migrate(writeConn);
      }
      writeConn.setAutoCommit(false);
      readConn = DriverManager.getConnection(url);
      try (Statement s = readConn.createStatement()) {
        s.execute("PRAGMA busy_timeout = 10000");
        s.execute(TEMP_IN_MEMORY);
      }
    } catch (SQLException e) {
      throw new StoreException("cannot open database " + file, e);
    }
    writeTx = new SqlTx(writeConn, true);
    readTx = new SqlTx(readConn, false);
    writer = new Thread(this::writeLoop, "stephttp-store-writer");
    writer.setDaemon(true);
    writer.start();
  }

  @Override
  public <T> CompletableFuture<T> write(TxWork<T> work) {
    Task<T> task = new Task<>(work);
    if (closed) {
      task.future.completeExceptionally(new StoreException("store closed", null));
      return task.future;
    }
    queue.add(task);
    return task.future;
  }

  @Override
  public <T> T read(ReadWork<T> work) {
    synchronized (readTx) {
      return work.apply(readTx);
    }
  }

  @Override
  public byte[] secret(String name) {
    String key = "secret:" + name;
    byte[] existing = read(tx -> ((SqlTx) tx).meta(key));
    if (existing != null) {
      return existing;
    }
    byte[] fresh = new byte[32];
    new SecureRandom().nextBytes(fresh);
    return write(tx -> {
      SqlTx sql = (SqlTx) tx;
      sql.putMetaIfAbsent(key, fresh);
      return sql.meta(key);
    }).join();
  }

  /** The database file. */
  Path file() {
    return file;
  }

  /** Number of commits and of write requests so far (group-commit ratio). */
  public long[] commitStats() {
    return new long[] {commits.get(), writes.get()};
  }

  /**
   * SQL statements the writer has executed so far, the savepoint around each write request
   * included (BENCHMARKS.md: statements per checkpoint request). Read between writes.
   */
  public long writeStatements() {
    return writeStatementCount;
  }

  private void writeLoop() {
    List<Task<?>> batch = new ArrayList<>();
    while (true) {
      try {
        Task<?> first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          if (closed && queue.isEmpty()) {
            return;
          }
          continue;
        }
        batch.add(first);
        queue.drainTo(batch, maxBatch - 1);
        runBatch(batch);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        LOG.error("store writer failed", e);
      } finally {
        batch.clear();
      }
    }
  }

  private void runBatch(List<Task<?>> batch) {
    for (Task<?> task : batch) {
      runRequest(task);
    }
    try {
      writeTx.batchDone();
      writeStatementCount = writeTx.statements();
      writeConn.commit();
      commits.incrementAndGet();
      writes.addAndGet(batch.size());
    } catch (SQLException | RuntimeException e) {
      LOG.error("commit failed; failing {} write(s)", batch.size(), e);
      writeTx.commitFailed();
      try {
        writeConn.rollback();
      } catch (SQLException ignored) {
        // the connection is broken anyway
      }
      for (Task<?> task : batch) {
        task.error = new StoreException("commit failed", e);
        task.callbacks = List.of();
      }
    }
    for (Task<?> task : batch) {
      for (Runnable r : task.callbacks) {
        try {
          r.run();
        } catch (RuntimeException e) {
          LOG.warn("after-commit action failed", e);
        }
      }
      task.complete();
    }
  }

  /**
   * Runs one write request. Its writes are held back and join the group commit's; one that runs
   * immediate statements gets a savepoint, so that a failure rolls back only its own writes.
   */
  private <T> void runRequest(Task<T> task) {
    writeTx.beginRequest();
    try {
      task.result = task.work.apply(writeTx);
      writeTx.requestDone();
      task.callbacks = writeTx.takeCallbacks();
    } catch (Throwable t) {
      writeTx.takeCallbacks();
      task.error = t;
      try {
        writeTx.requestRolledBack();
      } catch (StoreException e) {
        LOG.warn("rolling back a write request failed", e);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    try {
      writer.join(5000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    synchronized (readTx) {
      readTx.closeStatements();
      writeTx.closeStatements();
      try {
        readConn.close();
        writeConn.close();
      } catch (SQLException e) {
        LOG.warn("closing database failed", e);
      }
    }
    if (tempDir != null) {
      deleteTree(tempDir);
    }
  }

  private static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.deleteIfExists(f);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      LOG.warn("could not delete the temporary database in {}", dir, e);
    }
  }
}
