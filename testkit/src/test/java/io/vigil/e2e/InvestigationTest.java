package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
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
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #11's investigation tools end to end, over one deployment: a collector and an agent with
 * the real process and connection sensors (audit, as root). (Hunting and the process tree had a
 * test class each, each starting its own collector and root agent for the same {@code curl | sh}
 * chain; one deployment serves both.)
 *
 * <p>Hunting: the test runs the commands the documented example hunts of {@code docs/hunting.md}
 * look for (curl piped to sh, against a local HTTP server serving a harmless script; a connection
 * to 127.0.0.77; a new listening socket) next to similar commands they must not find, then runs
 * exactly those hunts through {@code vigilctl hunt --json} and checks the rows. The host's other
 * processes may add rows of their own; the test's commands carry a unique marker, and every row
 * returned is checked against what the hunt means.
 *
 * <p>The process tree: {@code vigilctl tree}, the real CLI in its own JVM, shows the shell of
 * {@code bash -c 'curl -s http://127.0.0.1:PORT/... | sh'} above curl with curl's connection to the
 * server under it; the shell's tree nests curl and sh under the shell and the script's own command
 * under sh. In a pipeline curl and sh are siblings (both children of the shell), so their order
 * among themselves is not asserted: it is whichever exec the kernel ran first.
 */
@Tag("kernel")
class InvestigationTest {
  private static final String RUN = "vigil-test-" + UUID.randomUUID().toString().substring(0, 8);

  /** docs/hunting.md: who ran curl piped to a shell. */
  static final String CURL_TO_SHELL =
      "kind = exec and Image matches \"/(ba|da|z)?sh$\""
          + " and ParentCommandLine matches \"curl[^|;&]*\\|\\s*(sudo\\s+)?(ba|da|z)?sh\\b\"";

  /** docs/hunting.md: processes talking to this IP. */
  static final String TALKING_TO =
      "kind = connection and direction != listen"
          + " and (DestinationIp = 127.0.0.77 or SourceIp = 127.0.0.77)";

  /** docs/hunting.md: new listening ports. */
  static final String LISTENING = "kind = connection and direction = listen";

  @TempDir static Path dir;
  private static Deployment deployment;
  private static SensorRun run;
  private static HttpServer http;

  /** The URL the chain piped into sh fetched. */
  private static String url;

  /** What the chain {@code curl -s URL | sh} printed. */
  private static String piped;

  @BeforeAll
  static void start() throws Exception {
    Host.requireRoot("the process and connection sensors read audit events as root");
    AuditRules.removeTestRules();
    http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // The script: harmless, and one command of its own so that sh has a child.
    byte[] script =
        ("echo hunted-" + RUN + "; uname -s " + RUN + "-arg 2>/dev/null || true\n")
            .getBytes(StandardCharsets.UTF_8);
    http.createContext(
        "/",
        ex -> {
          ex.sendResponseHeaders(200, script.length);
          try (OutputStream o = ex.getResponseBody()) {
            o.write(script);
          }
        });
    http.start();
    deployment = new Deployment(dir);
    try {
      deployment.startCollector();
      run =
          SensorRun.of(
              deployment,
              deployment.startSensorAgent(
                  new SensorsYaml().withSnapshotInterval("2s"), "status:", "  interval: 1s"));
      run.awaitStatus(
          "the process and network sensors reported",
          s ->
              SensorRun.sensor(s, "process").isPresent()
                  && SensorRun.sensor(s, "network").isPresent());
      // The chain both the hunt and the tree look at, then the hunt's look-alikes: curl then a
      // shell, but not curl's output into it; a pipe into sh without curl.
      String base = "http://127.0.0.1:" + http.getAddress().getPort() + "/" + RUN;
      url = base + "/piped";
      piped = Child.start(dir, "bash", "-c", "curl -s " + url + " | sh").output();
      Child.start(dir, "bash", "-c", "curl -s -o /dev/null " + base + "/saved; echo echo x | sh")
          .output();
      Child.start(dir, "bash", "-c", "echo echo " + RUN + "-plain | sh").output();
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
      if (http != null) {
        http.stop(0);
      }
    }
  }

  @Test
  void whoRanCurlPipedToShFindsTheShellAndNotTheLookAlikes() throws Exception {
    assertTrue(piped.contains("hunted-" + RUN), "the script ran: " + piped);
    // The look-alikes ran after the real one: once they are stored, so is it (one agent, in order).
    run.awaitExec(
        "the shell of the plain pipe",
        e -> e.getParent().getCommandLine().contains(RUN + "-plain"));

    List<Struct> rows =
        awaitRows(
            CURL_TO_SHELL,
            "kind,Image,ParentCommandLine,User,entity",
            r -> field(r, "ParentCommandLine").contains(url));
    List<Struct> ours =
        rows.stream().filter(r -> field(r, "ParentCommandLine").contains(RUN)).toList();
    assertEquals(1, ours.size(), "exactly the piped shell: " + rows);
    Struct sh = ours.get(0);
    assertTrue(field(sh, "Image").matches(".*/(ba|da|z)?sh"), sh.toString());
    assertEquals("root", field(sh, "User"), sh.toString());
    assertFalse(field(sh, "entity").isEmpty(), "an entity id for vigilctl tree: " + sh);
    for (Struct r : rows) {
      assertEquals("exec", field(r, "kind"), r.toString());
      assertTrue(field(r, "ParentCommandLine").matches("(?s).*curl[^|;&]*\\|\\s*.*"), r.toString());
    }
  }

  @Test
  void processesTalkingToAnAddressAreItsConnectionsOnly() throws Exception {
    try (ServerSocketChannel target = listener("127.0.0.77");
        ServerSocketChannel other = listener("127.0.0.78")) {
      int port = port(target);
      CompletableFuture<Void> accepted = acceptOnce(target);
      CompletableFuture<Void> acceptedOther = acceptOnce(other);
      Child bash =
          Child.start(
              dir,
              "bash",
              "-c",
              "exec 3<>/dev/tcp/127.0.0.77/"
                  + port
                  + "; exec 3>&-; exec 4<>/dev/tcp/127.0.0.78/"
                  + port(other)
                  + "; exec 4>&-");
      bash.output();
      accepted.get(30, TimeUnit.SECONDS);
      acceptedOther.get(30, TimeUnit.SECONDS);
      long pid = bash.pid();

      List<Struct> rows =
          awaitRows(
              TALKING_TO,
              "kind,direction,SourceIp,DestinationIp,DestinationPort,pid,Image",
              r ->
                  field(r, "pid").equals(Long.toString(pid))
                      && field(r, "direction").equals("outbound"));
      Struct out =
          rows.stream()
              .filter(r -> field(r, "pid").equals(Long.toString(pid)))
              .findFirst()
              .orElseThrow();
      assertEquals(Integer.toString(port), field(out, "DestinationPort"), out.toString());
      assertTrue(field(out, "Image").endsWith("/bash"), out.toString());
      for (Struct r : rows) {
        assertEquals("connection", field(r, "kind"), r.toString());
        assertFalse(field(r, "direction").equals("listen"), r.toString());
        assertTrue(
            field(r, "DestinationIp").equals("127.0.0.77")
                || field(r, "SourceIp").equals("127.0.0.77"),
            r.toString());
      }
    }
  }

  @Test
  void newListeningPortsAreListeningSocketsWithTheirProcess() throws Exception {
    try (ServerSocketChannel l = listener("127.0.0.1")) {
      int port = port(l);
      // A connection to it too: it must not be listed as a listening port.
      CompletableFuture<Void> accepted = acceptOnce(l);
      Child.start(dir, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + "; exec 3>&-").output();
      accepted.get(30, TimeUnit.SECONDS);
      List<Struct> rows =
          awaitRows(
              LISTENING,
              "kind,direction,DestinationIp,DestinationPort,pid,Image",
              r -> field(r, "DestinationPort").equals(Integer.toString(port)));
      Struct ours =
          rows.stream()
              .filter(r -> field(r, "DestinationPort").equals(Integer.toString(port)))
              .findFirst()
              .orElseThrow();
      assertEquals(Long.toString(Host.pid()), field(ours, "pid"), ours.toString());
      assertEquals("127.0.0.1", field(ours, "DestinationIp"), ours.toString());
      for (Struct r : rows) {
        assertEquals("listen", field(r, "direction"), r.toString());
      }
    }
  }

  @Test
  void theTreeShowsTheShellCurlWithItsConnectionAndSh() throws Exception {
    int port = http.getAddress().getPort();
    assertTrue(piped.contains("hunted-" + RUN), "the script ran: " + piped);

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

  private static ServerSocketChannel listener(String ip) throws Exception {
    ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.INET);
    s.bind(new InetSocketAddress(ip, 0));
    return s;
  }

  private static int port(ServerSocketChannel s) throws Exception {
    return ((InetSocketAddress) s.getLocalAddress()).getPort();
  }

  private static CompletableFuture<Void> acceptOnce(ServerSocketChannel s) {
    return CompletableFuture.runAsync(
        () -> {
          try (SocketChannel c = s.accept()) {
            // closed at once
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        });
  }

  private static String field(Struct row, String name) {
    return row.getFieldsMap().containsKey(name) ? row.getFieldsOrThrow(name).getStringValue() : "";
  }

  /**
   * Runs {@code vigilctl hunt QUERY --since 1h --json --fields FIELDS} until a row passes {@code
   * until} (the events reach the store some seconds after the commands), and returns that run's
   * rows.
   */
  private static List<Struct> awaitRows(String query, String fields, Predicate<Struct> until)
      throws Exception {
    long deadline = System.nanoTime() + SensorRun.WAIT.toNanos();
    List<Struct> rows = List.of();
    String log = "";
    while (System.nanoTime() < deadline) {
      int exit =
          deployment.vigilctl(
              "hunt", query, "--since", "1h", "--limit", "10000", "--json", "--fields", fields);
      log = deployment.lastToolLog();
      assertEquals(0, exit, "vigilctl hunt " + query + ":\n" + log);
      assertTrue(log.contains(" events searched"), "the summary line: " + log);
      rows = parse(log);
      if (rows.stream().anyMatch(until)) {
        return rows;
      }
      Thread.sleep(1000);
    }
    throw new AssertionError(
        "no expected row for " + query + " within " + SensorRun.WAIT + ":\n" + log);
  }

  private static List<Struct> parse(String log) throws Exception {
    List<Struct> rows = new ArrayList<>();
    for (String line : log.lines().toList()) {
      if (line.startsWith("{")) {
        Struct.Builder b = Struct.newBuilder();
        JsonFormat.parser().merge(line, b);
        rows.add(b.build());
      }
    }
    return rows;
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
