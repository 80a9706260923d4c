/** Benchmarks of stephttp: step overhead (JMH), filter overhead, orchestrator throughput, latencies. */
package dev.stephttp.benchmarks;
