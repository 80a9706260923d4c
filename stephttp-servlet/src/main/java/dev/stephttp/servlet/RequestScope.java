package dev.stephttp.servlet;

/**
 * Servlet-side state of the request being handled on this thread: the async response a handler
 * chose with {@link StepHttp#configure}. Confined to the request's thread.
 */
final class RequestScope {
  private static final ThreadLocal<RequestScope> CURRENT = new ThreadLocal<>();

  private AsyncResponse asyncResponse;

  static RequestScope current() {
    return CURRENT.get();
  }

  /** A thread binding that restores the previous one when closed. */
  interface Binding extends AutoCloseable {
    @Override
    void close();
  }

  Binding enter() {
    RequestScope previous = CURRENT.get();
    CURRENT.set(this);
    return () -> {
      if (previous == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(previous);
      }
    };
  }

  AsyncResponse asyncResponse() {
    return asyncResponse;
  }

  void asyncResponse(AsyncResponse asyncResponse) {
    this.asyncResponse = asyncResponse;
  }
}
