package dev.stephttp.internal.wire;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Response of the event API {@code POST /e/{eventKey}} (docs/protocol.md §10.1); immutable when built
 * with an immutable list. Null components are omitted.
 *
 * @param ids one internal ID per accepted event, in order, or null
 * @param status the HTTP status
 * @param error the reason for a failure, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
@JsonPropertyOrder({"ids", "status", "error"})
public record EventSendResponse(List<String> ids, int status, String error) {}
