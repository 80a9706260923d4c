package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Body of {@code POST /v1/checkpoint/{runId}/steps} (docs/protocol.md §2.2); immutable when built
 * with an immutable list. Null components are omitted.
 *
 * @param runId the run ULID (authoritative; the path segment is ignored)
 * @param fnId function UUID from the create-run response
 * @param appId app UUID from the create-run response
 * @param steps ops to checkpoint
 * @param ts request time in unix milliseconds, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"run_id", "fn_id", "app_id", "steps", "ts"})
public record CheckpointStepsRequest(
    @JsonProperty("run_id") String runId,
    @JsonProperty("fn_id") String fnId,
    @JsonProperty("app_id") String appId,
    @JsonProperty("steps") List<GeneratorOpcode> steps,
    @JsonProperty("ts") Long ts) {}
