package dev.stephttp.servlet;

import dev.stephttp.internal.RunOptions;
import org.jspecify.annotations.Nullable;

/**
 * Per-endpoint options a handler sets with {@link StepHttp#configure} before its first step.
 * Immutable; thread-safe.
 */
public final class FunctionOptions {
  private final @Nullable String id;
  private final @Nullable Integer retries;
  private final @Nullable Boolean omitRequestBody;
  private final @Nullable Boolean omitResponseBody;
  private final @Nullable AsyncResponse asyncResponse;

  private FunctionOptions(Builder b) {
    this.id = b.id;
    this.retries = b.retries;
    this.omitRequestBody = b.omitRequestBody;
    this.omitResponseBody = b.omitResponseBody;
    this.asyncResponse = b.asyncResponse;
  }

  /** A builder with nothing set. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding these options. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.id = id;
    b.retries = retries;
    b.omitRequestBody = omitRequestBody;
    b.omitResponseBody = omitResponseBody;
    b.asyncResponse = asyncResponse;
    return b;
  }

  /** The function ID, or null to derive it from method and path ({@code "POST /orders"}). */
  public @Nullable String id() {
    return id;
  }

  /** Retries per failed step, or null for the default ({@value RunOptions#DEFAULT_RETRIES}). */
  public @Nullable Integer retries() {
    return retries;
  }

  /** Whether the request body is kept from the orchestrator, or null for the default (false). */
  public @Nullable Boolean omitRequestBody() {
    return omitRequestBody;
  }

  /** Whether the response body is kept from the orchestrator, or null for the default (false). */
  public @Nullable Boolean omitResponseBody() {
    return omitResponseBody;
  }

  /** The answer when the run turns asynchronous, or null for the filter's default. */
  public @Nullable AsyncResponse asyncResponse() {
    return asyncResponse;
  }

  @Override
  public String toString() {
    return "FunctionOptions{id=" + id + ", retries=" + retries + ", omitRequestBody=" + omitRequestBody
        + ", omitResponseBody=" + omitResponseBody + ", asyncResponse=" + asyncResponse + "}";
  }

  /**
   * Builds {@link FunctionOptions}. Defaults: ID derived from method and path; retries {@value
   * RunOptions#DEFAULT_RETRIES}; bodies sent; the filter's async response. Not thread-safe.
   */
  public static final class Builder {
    private @Nullable String id;
    private @Nullable Integer retries;
    private @Nullable Boolean omitRequestBody;
    private @Nullable Boolean omitResponseBody;
    private @Nullable AsyncResponse asyncResponse;

    private Builder() {}

    /** Names the function (use it when paths contain IDs, so runs group under one function). */
    public Builder id(@Nullable String id) {
      if (id != null && id.isBlank()) {
        throw new IllegalArgumentException("id must not be blank");
      }
      this.id = id;
      return this;
    }

    /** Retries per failed step, 0 to {@value RunOptions#MAX_RETRIES}; 0 makes failures synchronous. */
    public Builder retries(int retries) {
      if (retries < 0 || retries > RunOptions.MAX_RETRIES) {
        throw new IllegalArgumentException(
            "retries must be between 0 and " + RunOptions.MAX_RETRIES + ", was " + retries);
      }
      this.retries = retries;
      return this;
    }

    /** Keeps the request body from the orchestrator; re-entries then see an empty body. */
    public Builder omitRequestBody(boolean omit) {
      this.omitRequestBody = omit;
      return this;
    }

    /** Keeps the response body from the orchestrator. */
    public Builder omitResponseBody(boolean omit) {
      this.omitResponseBody = omit;
      return this;
    }

    /** How the user is answered when the run turns asynchronous. */
    public Builder asyncResponse(@Nullable AsyncResponse asyncResponse) {
      this.asyncResponse = asyncResponse;
      return this;
    }

    /** Builds the options. */
    public FunctionOptions build() {
      return new FunctionOptions(this);
    }
  }
}
