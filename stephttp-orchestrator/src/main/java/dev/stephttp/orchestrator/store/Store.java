package dev.stephttp.orchestrator.store;

import java.util.concurrent.CompletableFuture;

/**
 * Durable state of the orchestrator. Writes complete their future only after the data is
 * durable; reads see committed data. Thread-safe.
 */
public interface Store extends ReadStore, AutoCloseable {

  /** A unit of work run inside one transaction. */
  @FunctionalInterface
  interface TxWork<T> {
    T apply(Tx tx);
  }

  /**
   * Runs {@code work} in a write transaction. If it throws, its changes are rolled back and the
   * future fails with that exception; otherwise the future completes after commit.
   */
  <T> CompletableFuture<T> write(TxWork<T> work);

  /** A persistent random secret (created on first use) of at least 32 bytes. */
  byte[] secret(String name);

  @Override
  void close();
}
