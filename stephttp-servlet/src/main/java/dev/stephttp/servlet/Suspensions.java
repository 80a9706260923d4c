package dev.stephttp.servlet;

import dev.stephttp.internal.Execution;
import dev.stephttp.internal.Suspension;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a handler inside its execution and tells how it ended. The suspension signal is thrown
 * through code the library does not control: Tomcat's filter chain and Spring's {@code
 * DispatcherServlet} wrap it in {@code ServletException}, an {@code @ExceptionHandler} may answer
 * it, a user's {@code catch (Throwable t)} may swallow it. So the phases never rely on catching it:
 * they ask the execution, which recorded the suspension before throwing (docs/how-it-works.md). This class
 * only notices when the signal did not come back, and says so once per handler. Thread-safe.
 */
final class Suspensions {
  private static final Logger log = LoggerFactory.getLogger(Suspensions.class);
  /** Bounds the memory of handlers already warned about; past it, warnings go to debug. */
  private static final int MAX_WARNED = 1024;

  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** Runs {@code handler} with {@code execution} bound to the thread; returns what it threw, or null. */
  static Throwable run(Execution execution, HttpServletRequest request, HttpServletResponse response,
      DurableRequests.Handler handler) {
    try (Execution.Scope scope = execution.enter()) {
      handler.handle(request, response);
      return null;
    } catch (Throwable t) { // NOPMD: whatever it is, the phase decides from the execution's record
      return t;
    }
  }

  /** Logs, once per handler, a suspension that the handler or a framework swallowed. */
  void check(Suspension suspension, Throwable thrown, HttpServletRequest request) {
    if (carries(thrown, suspension)) {
      return;
    }
    String handler = request.getMethod() + " " + request.getRequestURI();
    String what = thrown == null ? "returned normally" : "threw " + thrown.getClass().getName();
    if (warned.size() < MAX_WARNED && warned.add(handler)) {
      log.warn("{}: the handler {} after the run suspended at {}: a catch (Throwable) in the handler, or a"
          + " framework's exception handler, kept the library's signal from propagating. The async switch is"
          + " made anyway and what was written after the suspension is discarded; let the signal propagate"
          + " (catch Exception, not Throwable). Logged once per handler.", handler, what, describe(suspension));
    } else {
      log.debug("{}: the handler {} after the run suspended at {}", handler, what, describe(suspension));
    }
  }

  /** Rethrows {@code thrown} if it is an {@link Error}; callers have handled exceptions. */
  static void rethrowError(Throwable thrown) {
    if (thrown instanceof Error) {
      throw (Error) thrown;
    }
  }

  /** The first {@code type} in {@code thrown}'s cause chain, or null. */
  static <T extends Throwable> T find(Throwable thrown, Class<T> type) {
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (Throwable t = thrown; t != null && seen.add(t); t = t.getCause()) {
      if (type.isInstance(t)) {
        return type.cast(t);
      }
    }
    return null;
  }

  /** The user's own failure inside the {@code ServletException}s that containers wrap it in. */
  static Throwable unwrap(Throwable thrown) {
    Throwable t = thrown;
    Set<Throwable> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    while (t instanceof ServletException && t.getCause() != null && seen.add(t)) {
      t = t.getCause();
    }
    return t;
  }

  private static boolean carries(Throwable thrown, Suspension suspension) {
    return find(thrown, Suspension.class) == suspension;
  }

  private static String describe(Suspension s) {
    return s.op() == null ? "a step the re-entry did not reach" : s.op().op() + " '" + s.op().name() + "'";
  }
}
