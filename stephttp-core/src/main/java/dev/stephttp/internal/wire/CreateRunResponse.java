package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.UUID;

/**
 * The {@code data} of a create-run response (docs/protocol.md §2.1); immutable. Null or empty tokens
 * are omitted.
 *
 * @param fnId deterministic function UUID
 * @param appId deterministic app UUID
 * @param runId the run ULID
 * @param token run-output token, or null
 * @param realtimeToken realtime subscribe token, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"fn_id", "app_id", "run_id", "token", "realtime_token"})
public record CreateRunResponse(
    @JsonProperty("fn_id") String fnId,
    @JsonProperty("app_id") String appId,
    @JsonProperty("run_id") String runId,
    @JsonProperty("token") @JsonInclude(JsonInclude.Include.NON_EMPTY) String token,
    @JsonProperty("realtime_token") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        String realtimeToken) {

  /** Returns a response for UUID-typed IDs, written in canonical lowercase form. */
  public static CreateRunResponse of(
      UUID fnId, UUID appId, String runId, String token, String realtimeToken) {
    return new CreateRunResponse(
        fnId.toString(), appId.toString(), runId, token, realtimeToken);
  }
}
