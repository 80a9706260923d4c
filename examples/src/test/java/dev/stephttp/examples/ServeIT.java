package dev.stephttp.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar stephttp-examples.jar serve} as a newcomer meets it, in a separate JVM: it
 * prints the dashboard and a key that signs in to it, and a port already in use ends in one line
 * and exit code 2, without a stack trace.
 */
@Timeout(120)
class ServeIT {
  final OkHttpClient http = new OkHttpClient.Builder().callTimeout(30, TimeUnit.SECONDS).build();

  @TempDir
  Path dir;

  /** {@code java -cp <this test's class path> dev.stephttp.examples.Main serve args...}. */
  Process serve(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        Paths.get(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName(), "serve"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.remove("INNGEST_SIGNING_KEY"); // a newcomer's shell: no key, not dev mode
    env.remove("INNGEST_DEV");
    return pb.start();
  }

  @Test
  void servePrintsTheDashboardAndALocalKeyThatSignsIn() throws Exception {
    Process p = serve("--port", "0", "--orchestrator-port", "0");
    drain(p.getErrorStream());
    try {
      BufferedReader out = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String printed = CompletableFuture.supplyAsync(() -> readUntil(out, "example app on "))
          .get(60, TimeUnit.SECONDS);
      Matcher dashboard = Pattern.compile("(?m)^dashboard: (http://127\\.0\\.0\\.1:\\d+/)$")
          .matcher(printed);
      assertThat(dashboard.find()).as(printed).isTrue();
      assertThat(printed).contains("sign in with this local development signing key");
      Matcher key = Pattern.compile("(?m)^  (signkey-local-[0-9a-f]{64})$").matcher(printed);
      assertThat(key.find()).as(printed).isTrue();
      Matcher app = Pattern.compile("example app on (http://127\\.0\\.0\\.1:\\d+) ")
          .matcher(printed);
      assertThat(app.find()).isTrue();

      // the printed key is the one the dashboard accepts
      Request login = new Request.Builder().url(dashboard.group(1) + "api/v2/login")
          .post(RequestBody.create("{\"signingKey\":\"" + key.group(1) + "\"}",
              MediaType.get("application/json"))).build();
      try (Response r = http.newCall(login).execute()) {
        assertThat(r.code()).as("login with the printed key").isEqualTo(200);
      }
      try (Response r = http.newCall(new Request.Builder().url(app.group(1) + "/greet?name=Ada")
          .build()).execute()) {
        assertThat(r.code()).isEqualTo(200);
      }
    } finally {
      p.destroy();
      if (!p.waitFor(20, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
  }

  @Test
  void appPortInUseEndsInOneLineAndExitCode2() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      Process p = serve("--port", Integer.toString(port), "--orchestrator-port", "0");
      assertEndsWith(p, "port " + port + " is already in use; pass --port N");
    }
  }

  @Test
  void orchestratorPortInUseEndsInOneLineAndExitCode2() throws Exception {
    try (ServerSocket busy = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = busy.getLocalPort();
      Process p = serve("--port", "0", "--orchestrator-port", Integer.toString(port));
      assertEndsWith(p, "port " + port + " is already in use; pass --orchestrator-port N");
    }
  }

  private static void assertEndsWith(Process p, String line) throws Exception {
    CompletableFuture<String> stdout = drain(p.getInputStream());
    CompletableFuture<String> stderr = drain(p.getErrorStream());
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("serve exits").isTrue();
    String err = stderr.get(10, TimeUnit.SECONDS);
    assertThat(p.exitValue()).as(err).isEqualTo(2);
    assertThat(err.lines().filter(l -> !l.isBlank()).toList()).containsExactly(line);
    assertThat(stdout.get(10, TimeUnit.SECONDS)).doesNotContain("example app on");
  }

  private static CompletableFuture<String> drain(java.io.InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static String readUntil(BufferedReader out, String marker) {
    StringBuilder seen = new StringBuilder();
    try {
      for (String line; (line = out.readLine()) != null; ) {
        seen.append(line).append('\n');
        if (line.startsWith(marker)) {
          return seen.toString();
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    throw new IllegalStateException("serve ended before printing '" + marker + "':\n" + seen);
  }
}
