package dev.stephttp.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stephttp.Step;
import dev.stephttp.internal.Execution;
import dev.stephttp.internal.OpSink;
import dev.stephttp.internal.wire.GeneratorOpcode;
import dev.stephttp.internal.wire.Json;
import dev.stephttp.internal.wire.StepIds;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Measurement 1, step overhead: {@code Step.run} in a sync-phase run context against the
 * floor of what a step must do anyway. Every invocation is one handler execution with
 * {@value #STEPS} steps (a new run context, entered and left), so per-run costs are included,
 * amortised over the steps. The op sink queues ops the way the checkpoint stream does (under a
 * lock, into the run's pending list) but sends nothing: the network sender runs on another
 * thread and is measured by the load benchmarks, not here.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {"-Xms512m", "-Xmx512m"})
public class StepBenchmark {
  static final int STEPS = 10;
  private static final ObjectMapper MAPPER = Json.mapper();
  private static final String[] IDS = new String[STEPS];
  private static final dev.stephttp.internal.StepThreads THREADS = new dev.stephttp.internal.StepThreads(1);

  static {
    for (int i = 0; i < STEPS; i++) {
      IDS[i] = "step-" + i;
    }
  }

  /** A line of an order, ~100 bytes of JSON. */
  public record Line(String sku, String name, int quantity, long priceCents) {}

  /** The step result: {@code small} is ~100 B of JSON, {@code large} ~10 KB. */
  public record Order(String id, String customer, long totalCents, List<Line> lines) {}

  @Param({"small", "large"})
  public String size;

  private Order value;
  private final Sink sink = new Sink();

  /** Queues ops like the checkpoint stream does, without a network sender. */
  static final class Sink implements OpSink {
    private final List<GeneratorOpcode> pending = new ArrayList<>();

    @Override
    public synchronized boolean emit(GeneratorOpcode op) {
      return pending.add(op);
    }

    synchronized void clear() {
      pending.clear();
    }
  }

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    int lines = size.equals("small") ? 0 : 116;
    List<Line> l = new ArrayList<>();
    for (int i = 0; i < lines; i++) {
      l.add(new Line("SKU-" + (100000 + i), "Widget number " + i + " (blue)", 1 + i % 5,
          1999L + i));
    }
    value = new Order("o-01J9ZQ8X5N3", "customer-4711@example.com", 4200, l);
    int bytes = MAPPER.writeValueAsBytes(value).length;
    if (size.equals("small") ? bytes > 150 : bytes < 9_000 || bytes > 11_000) {
      throw new IllegalStateException("value is " + bytes + " bytes of JSON");
    }
  }

  /** The floor: a plain method call returning the value. */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void plainCall(Blackhole bh) {
    for (int i = 0; i < STEPS; i++) {
      bh.consume(compute());
    }
  }

  /** SHA-1 of the step id (what a step ID costs). */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void sha1OfId(Blackhole bh) {
    for (int i = 0; i < STEPS; i++) {
      bh.consume(StepIds.hash(IDS[i]));
      bh.consume(compute());
    }
  }

  /** Jackson serialisation of the value to a tree, as a step records it (the floor). */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void jacksonFloor(Blackhole bh) {
    for (int i = 0; i < STEPS; i++) {
      JsonNode tree = MAPPER.valueToTree(compute());
      bh.consume(tree);
    }
  }

  /** Jackson serialisation to bytes (what eventually goes on the wire). */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void jacksonBytes(Blackhole bh) throws Exception {
    for (int i = 0; i < STEPS; i++) {
      bh.consume(MAPPER.writeValueAsBytes(compute()));
    }
  }

  /** {@code Step.run} inside a sync-phase run: {@value #STEPS} steps per run context. */
  @Benchmark
  @OperationsPerInvocation(STEPS)
  public void stepRun(Blackhole bh) {
    sink.clear();
    Execution execution = Execution.sync("01JBENCHMARK0000000000000A", sink, events -> List.of(), THREADS);
    try (Execution.Scope ignored = execution.enter()) {
      for (int i = 0; i < STEPS; i++) {
        bh.consume(Step.run(IDS[i], Order.class, this::compute));
      }
    }
  }

  private Order compute() {
    return value;
  }
}
