package dev.stephttp.orchestrator.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The exclusive claim of one orchestrator process on a database file: an OS file lock on
 * {@code <database>.lock} beside it, held until {@link #close()}. Two orchestrators on one file
 * would each dispatch every work item (every step ran twice), so the second refuses to start.
 * The lock file is never deleted: deleting it would let a third process lock a new file while
 * the first still holds the old one. The OS drops the lock when the process dies.
 */
public final class DatabaseLock implements AutoCloseable {

  /** Another orchestrator holds the database. */
  public static final class InUse extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    InUse(String message) {
      super(message);
    }
  }

  private final FileChannel channel;
  private final FileLock lock;

  private DatabaseLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** Locks {@code database}'s lock file or throws {@link InUse} naming the database. */
  public static DatabaseLock acquire(Path database) {
    Path db = database.toAbsolutePath();
    Path file = db.resolveSibling(db.getFileName() + ".lock");
    FileChannel channel;
    try {
      channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new StoreException("cannot open the lock file " + file + " of database " + db, e);
    }
    FileLock lock = null;
    try {
      lock = channel.tryLock();
    } catch (OverlappingFileLockException e) {
      // held by another orchestrator in this JVM
    } catch (IOException e) {
      closeQuietly(channel);
      throw new StoreException("cannot lock " + file + " of database " + db, e);
    }
    if (lock == null) {
      closeQuietly(channel);
      throw new InUse("database " + db + " is in use: another orchestrator holds it (lock file "
          + file + ")");
    }
    return new DatabaseLock(channel, lock);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing was locked
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
    } catch (IOException ignored) {
      // closing the channel releases it too
    }
    closeQuietly(channel);
  }
}
