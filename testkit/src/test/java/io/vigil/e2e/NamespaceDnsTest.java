package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.SensorState;
import io.vigil.testkit.Child;
import io.vigil.testkit.DnsResponder;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.Poll;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.VethNamespace;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packet sensor live, inside a network namespace with its own {@code
 * /etc/netns/NAME/resolv.conf} and a DNS responder on the far end of its veth pair: the real
 * kernel, libpcap, glibc's resolver and curl. A lookup with {@code getent} inside the namespace
 * gives a DNS event attributed to getent (the agent captures {@code netns:vigil-test-dns/any}, and
 * learns getent's socket from the audit connect); the connection curl then opens to the answered
 * address carries that name as {@code destination_hostname}, and so does the flow.
 */
@Tag("kernel")
class NamespaceDnsTest {
  private static final String NAME = "web.vigil-test.example";
  private static final String HOST_IP = "10.203.77.1";
  private static final String NS_IP = "10.203.77.2";
  private static final int HTTP_PORT = 8080;

  @TempDir static Path dir;
  private static VethNamespace ns;
  private static DnsResponder dns;
  private static ServerSocketChannel http;
  private static Thread httpThread;
  private static SensorRun run;

  @BeforeAll
  static void namespaceResponderAndAgent() throws Exception {
    Host.requireRoot("kernel tests need root");
    VethNamespace.removeLeftovers();
    ns =
        VethNamespace.create(
            "vigil-test-dns",
            "vigil-test-dh",
            HOST_IP,
            "vigil-test-dn",
            NS_IP,
            "nameserver " + HOST_IP + "\noptions timeout:2 attempts:3\n");
    dns = DnsResponder.start(HOST_IP, Map.of(NAME, InetAddress.getByName(HOST_IP)));
    http = ServerSocketChannel.open(StandardProtocolFamily.INET);
    http.bind(new InetSocketAddress(HOST_IP, HTTP_PORT));
    httpThread = new Thread(NamespaceDnsTest::serveHttp, "http-responder");
    httpThread.setDaemon(true);
    httpThread.start();
    run = SensorRun.start(dir, new SensorsYaml().withPacketCapture("netns:" + ns.name() + "/any"));
    run.awaitCapture("netns:vigil-test-dns/any");
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try {
      if (run != null) {
        run.close(); // first: its capture holds the namespace's interfaces
      }
    } finally {
      if (http != null) {
        http.close();
      }
      if (dns != null) {
        dns.close();
      }
      if (ns != null) {
        ns.close();
      }
    }
  }

  private static void serveHttp() {
    byte[] reply =
        "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"
            .getBytes(StandardCharsets.US_ASCII);
    while (http.isOpen()) {
      try (SocketChannel c = http.accept()) {
        c.read(ByteBuffer.allocate(4096));
        c.write(ByteBuffer.wrap(reply));
      } catch (IOException e) {
        // closed at the end of the test, or a client that went away
      }
    }
  }

  @Test
  void aLookupInsideTheNamespaceIsADnsEventOfTheLookingProcessAndNamesTheNextConnection()
      throws Exception {
    Child getent = ns.exec(dir, "getent", "ahostsv4", NAME);
    String resolved = getent.output();
    assertTrue(resolved.startsWith(HOST_IP + " "), "getent inside the namespace: " + resolved);

    DnsEvent d =
        run.awaitEvent(
                "a DNS event for " + NAME + " by getent pid " + getent.pid(),
                EventKind.EVENT_KIND_DNS,
                e ->
                    e.getDns().getQueryName().equals(NAME)
                        && e.getDns().getQueryType().equals("A")
                        && e.getDns().getProcess().getPid() == getent.pid())
            .getDns();
    String shown = "\n" + EventText.of(d);
    assertEquals(NS_IP, d.getClientIp(), shown);
    assertEquals(HOST_IP, d.getServerIp(), shown);
    assertEquals(53, d.getServerPort(), shown);
    assertEquals("NOERROR", d.getResponseCode(), shown);
    assertEquals(List.of(HOST_IP), d.getAnswersList(), shown);
    assertTrue(d.getProcess().getImage().endsWith("/getent"), "the looking process" + shown);
    assertTrue(d.getProcess().getEntityId().length() > 0, shown);

    Child curl =
        ns.exec(
            dir,
            "curl",
            "-sS",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "http://" + NAME + ":" + HTTP_PORT + "/");
    curl.output();
    NetworkConnection c =
        run.awaitConnection(
            "curl's connection to " + HOST_IP + ":" + HTTP_PORT,
            x ->
                x.getDirection() == Direction.DIRECTION_OUTBOUND
                    && x.getDestinationPort() == HTTP_PORT
                    && x.getProcess().getPid() == curl.pid());
    shown = "\n" + EventText.of(c);
    assertEquals(HOST_IP, c.getDestinationIp(), shown);
    assertEquals(NAME, c.getDestinationHostname(), "named from the DNS answer" + shown);

    Flow f =
        run.awaitEvent(
                "curl's flow to " + HOST_IP + ":" + HTTP_PORT,
                EventKind.EVENT_KIND_FLOW,
                e ->
                    e.getFlow().getDestinationPort() == HTTP_PORT
                        && e.getFlow().getProcess().getPid() == curl.pid())
            .getFlow();
    shown = "\n" + EventText.of(f);
    assertEquals(NS_IP, f.getSourceIp(), shown);
    assertEquals(NAME, f.getDestinationHostname(), shown);
    assertTrue(f.getPacketsToServer() > 0 && f.getPacketsToClient() > 0, shown);
  }

  @Test
  void theStatusCountsWhatTheNamespaceCaptureSaw() throws Exception {
    ns.exec(dir, "getent", "ahostsv4", NAME).output();
    Poll.until(
        SensorRun.WAIT,
        () -> "capture counters for the namespace" + run.agentLog(),
        () ->
            run.store().latestAgentStatus().stream()
                .flatMap(s -> s.getCapturesList().stream())
                .anyMatch(
                    k ->
                        k.getInterface().equals("netns:vigil-test-dns/any")
                            && k.getReceived() > 0
                            && k.getDns() > 0));
    Optional<SensorState> packet =
        SensorRun.sensor(run.store().latestAgentStatus().orElseThrow(), "packet");
    assertTrue(packet.isPresent() && !packet.get().getDegraded(), String.valueOf(packet));
  }
}
