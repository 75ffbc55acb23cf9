package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.testkit.AuditRules;
import io.vigil.testkit.Child;
import io.vigil.testkit.Deployment;
import io.vigil.testkit.Host;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11's process tree end to end, as root: a real collector and a real agent with the process
 * sensor (audit) and the connection sensor; {@code bash -c 'curl -s http://127.0.0.1:PORT/... |
 * sh'} fetches a harmless script from a tiny HTTP server in the test and runs it. {@code vigilctl
 * tree}, the real CLI in its own JVM, shows the shell above curl with curl's connection to the
 * server under it; the shell's tree nests curl and sh under the shell and the script's own command
 * under sh. In a pipeline curl and sh are siblings (both children of the shell), so their order
 * among themselves is not asserted: it is whichever exec the kernel ran first.
 */
@Tag("kernel")
class ProcessTreeTest {
  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);

  @TempDir static Path dir;
  private static Deployment deployment;
  private static SensorRun run;
  private static HttpServer server;

  @BeforeAll
  static void start() throws Exception {
    Host.requireRoot("kernel tests need root");
    AuditRules.removeTestRules();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // The script: harmless, and one command of its own so that sh has a child.
    byte[] script =
        ("echo ok; uname -s " + RUN + "-arg 2>/dev/null || true\n")
            .getBytes(StandardCharsets.UTF_8);
    server.createContext(
        "/" + RUN,
        x -> {
          x.sendResponseHeaders(200, script.length);
          try (OutputStream o = x.getResponseBody()) {
            o.write(script);
          }
        });
    server.start();
    deployment = new Deployment(dir);
    try {
      deployment.startCollector();
      run =
          SensorRun.of(
              deployment,
              deployment.startSensorAgent(new SensorsYaml(), "status:", "  interval: 2s"));
      run.awaitStatus(
          "the process and network sensors reported",
          s ->
              SensorRun.sensor(s, "process").isPresent()
                  && SensorRun.sensor(s, "network").isPresent());
    } catch (Throwable t) {
      deployment.close();
      throw t;
    }
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (run != null) {
        run.close();
      } else if (deployment != null) {
        deployment.close();
      }
    } finally {
      if (server != null) {
        server.stop(0);
      }
    }
  }

  @Test
  void theTreeShowsTheShellCurlWithItsConnectionAndSh() throws Exception {
    int port = server.getAddress().getPort();
    String url = "http://127.0.0.1:" + port + "/" + RUN;
    String printed = Child.start(dir, "bash", "-c", "curl -s " + url + " | sh").output();
    assertTrue(printed.contains("ok"), "the script ran: " + printed);

    ProcessExec curl =
        run.awaitExec(
            "curl's exec",
            x -> x.getProcess().getImage().endsWith("/curl") && x.getArgsList().contains(url));
    String curlEntity = curl.getProcess().getEntityId();
    String shell = curl.getParent().getEntityId();
    ProcessExec sh =
        run.awaitExec(
            "sh's exec, beside curl under the shell",
            x ->
                x.getParent().getEntityId().equals(shell)
                    && !x.getProcess().getEntityId().equals(curlEntity));
    ProcessExec uname =
        run.awaitExec("the script's command under sh", x -> x.getArgsList().contains(RUN + "-arg"));
    assertEquals(sh.getProcess().getEntityId(), uname.getParent().getEntityId(), "uname's parent");
    run.awaitConnection(
        "curl's connection to the test's server",
        c ->
            c.getDirection() == Direction.DIRECTION_OUTBOUND
                && c.getDestinationPort() == port
                && c.getProcess().getEntityId().equals(curlEntity));

    String host = deployment.agentId();
    List<String> lines = tree(host, curlEntity);
    int shellLine = lineOf(lines, "bash -c curl -s " + url);
    int curlLine = lineOf(lines, "pid " + curl.getProcess().getPid() + " ");
    int connect = lineOf(lines, "connect tcp ");
    assertTrue(shellLine < curlLine && curlLine < connect, String.join("\n", lines));
    assertTrue(lines.get(curlLine).contains("curl -s " + url), lines.get(curlLine));
    assertTrue(lines.get(curlLine).endsWith("<- this process"), lines.get(curlLine));
    assertTrue(
        indent(lines.get(curlLine)) > indent(lines.get(shellLine)), String.join("\n", lines));
    assertTrue(indent(lines.get(connect)) > indent(lines.get(curlLine)), String.join("\n", lines));
    assertTrue(lines.get(connect).contains(" 127.0.0.1:" + port), lines.get(connect));

    lines = tree(host, shell);
    String all = String.join("\n", lines);
    int top = lineOf(lines, "<- this process");
    assertTrue(lines.get(top).contains("bash -c curl -s " + url + " | sh"), all);
    curlLine = lineOf(lines, "pid " + curl.getProcess().getPid() + " ");
    int shLine = lineOf(lines, "pid " + sh.getProcess().getPid() + " ");
    int unameLine = lineOf(lines, RUN + "-arg");
    assertTrue(top < curlLine && top < shLine && shLine < unameLine, all);
    assertEquals(indent(lines.get(curlLine)), indent(lines.get(shLine)), "siblings:\n" + all);
    assertTrue(indent(lines.get(curlLine)) > indent(lines.get(top)), all);
    assertTrue(indent(lines.get(unameLine)) > indent(lines.get(shLine)), all);
    connect = lineOf(lines, "connect tcp ");
    assertTrue(lines.get(connect).contains(" 127.0.0.1:" + port), all);
    assertTrue(curlLine < connect && indent(lines.get(connect)) > indent(lines.get(curlLine)), all);
  }

  private static List<String> tree(String host, String entity) throws Exception {
    int exit = deployment.vigilctl("tree", host, entity);
    String log = deployment.lastToolLog();
    assertEquals(0, exit, "vigilctl tree " + host + " " + entity + ":\n" + log);
    return log.lines().toList();
  }

  private static int lineOf(List<String> lines, String part) {
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).contains(part)) {
        return i;
      }
    }
    throw new AssertionError("no line with \"" + part + "\" in:\n" + String.join("\n", lines));
  }

  /** Where a line's text starts after the tree's indentation. */
  private static int indent(String line) {
    int i = 0;
    while (i < line.length() && " └─".indexOf(line.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }
}
