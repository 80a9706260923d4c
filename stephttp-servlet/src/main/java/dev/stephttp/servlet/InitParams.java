package dev.stephttp.servlet;

import java.util.function.Function;

/**
 * Reads a {@link StepHttpConfig} from web.xml: the filter's init-param {@code X} (named as the
 * builder methods), else the context-param {@code stephttp.X}; what is unset in both comes from the
 * environment when the filter starts.
 */
final class InitParams {
  private InitParams() {}

  static StepHttpConfig read(Function<String, String> initParam, Function<String, String> contextParam) {
    Function<String, String> param = name -> {
      String v = initParam.apply(name);
      return v != null ? v : contextParam.apply("stephttp." + name);
    };
    StepHttpConfig.Builder b = StepHttpConfig.builder();
    String v;
    if ((v = value(param, "baseUrl")) != null) {
      b.baseUrl(v);
    }
    if ((v = value(param, "redirectBaseUrl")) != null) {
      b.redirectBaseUrl(v);
    }
    if ((v = value(param, "eventBaseUrl")) != null) {
      b.eventBaseUrl(v);
    }
    if ((v = value(param, "signingKey")) != null) {
      b.signingKey(v);
    }
    if ((v = value(param, "signingKeyFallback")) != null) {
      b.signingKeyFallback(v);
    }
    if ((v = value(param, "eventKey")) != null) {
      b.eventKey(v);
    }
    if ((v = value(param, "dev")) != null) {
      b.dev(bool("dev", v));
    }
    if ((v = value(param, "domain")) != null) {
      b.domain(v);
    }
    if ((v = value(param, "trustForwardedOrigin")) != null) {
      b.trustForwardedOrigin(bool("trustForwardedOrigin", v));
    }
    if ((v = value(param, "trackAllEndpoints")) != null) {
      b.trackAllEndpoints(bool("trackAllEndpoints", v));
    }
    if ((v = value(param, "asyncResponse")) != null) {
      b.defaultAsyncResponse(AsyncResponse.parse(v));
    }
    if ((v = value(param, "maxBufferedResponseBytes")) != null) {
      b.maxBufferedResponseBytes(integer("maxBufferedResponseBytes", v));
    }
    if ((v = value(param, "durableResponses")) != null) {
      b.durableResponses(bool("durableResponses", v));
    }
    if ((v = value(param, "maxCapturedRequestBytes")) != null) {
      b.maxCapturedRequestBytes(integer("maxCapturedRequestBytes", v));
    }
    return b.build();
  }

  private static String value(Function<String, String> param, String name) {
    String v = param.apply(name);
    return v == null || v.isBlank() ? null : v.trim();
  }

  private static boolean bool(String name, String v) {
    if (v.equalsIgnoreCase("true") || v.equals("1")) {
      return true;
    }
    if (v.equalsIgnoreCase("false") || v.equals("0")) {
      return false;
    }
    throw new IllegalArgumentException(name + " must be true or false, was '" + v + "'");
  }

  private static int integer(String name, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " must be a whole number of bytes, was '" + v + "'", e);
    }
  }
}
