package dev.stephttp.orchestrator.store;

/**
 * The read-only side of the {@link Store}: what the protocol endpoints and the management API
 * query with. Every change of state goes through the engine, which alone holds the writable
 * {@link Store}. Thread-safe.
 */
public interface ReadStore {

  /** A unit of read-only work against committed state. */
  @FunctionalInterface
  interface ReadWork<T> {
    T apply(Reads reads);
  }

  /** Runs a read-only unit of work against committed state. */
  <T> T read(ReadWork<T> work);
}
