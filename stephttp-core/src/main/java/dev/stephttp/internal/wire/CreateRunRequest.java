package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Body of {@code POST /v1/checkpoint} and {@code POST /v1/http/runs} (docs/protocol.md §2.1);
 * immutable when built with an immutable list. Null components are omitted.
 *
 * @param runId the client-minted run ULID
 * @param idempotency idempotency key ({@code ""} from Go), or null
 * @param event the triggering event
 * @param steps ops to checkpoint, or null
 * @param requestVersion request version ({@code 2} from TS), or null
 * @param retries step retry count, or null
 * @param ts request time in unix milliseconds, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"run_id", "idempotency", "event", "steps", "request_version", "retries", "ts"})
public record CreateRunRequest(
    @JsonProperty("run_id") String runId,
    @JsonProperty("idempotency") String idempotency,
    @JsonProperty("event") TriggerEvent event,
    @JsonProperty("steps") List<GeneratorOpcode> steps,
    @JsonProperty("request_version") Integer requestVersion,
    @JsonProperty("retries") Integer retries,
    @JsonProperty("ts") Long ts) {}
