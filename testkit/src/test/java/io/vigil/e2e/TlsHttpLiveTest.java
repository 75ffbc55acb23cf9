package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.proto.v1.EventKind;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.testkit.Child;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import io.vigil.testkit.VethNamespace;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTP and TLS events live, from the real kernel, libpcap, curl and OpenSSL: inside a network
 * namespace the agent captures ({@code netns:vigil-test-tls/any}), curl fetches over HTTPS from an
 * {@code openssl s_server} on the far end of the namespace's veth pair, and over plain HTTP from a
 * server of the test's. The TLS event carries the SNI curl sent, a JA4 of a TLS 1.3 client over
 * TCP, the server's choice, and curl as its process; the HTTP event carries curl's user agent, the
 * request and the response status, and curl as its process.
 */
@Tag("kernel")
class TlsHttpLiveTest {
  private static final String NAME = "web.vigil-test.example";
  private static final String HOST_IP = "10.203.78.1";
  private static final String NS_IP = "10.203.78.2";
  private static final int TLS_PORT = 4433;
  private static final int HTTP_PORT = 8080;

  @TempDir static Path dir;
  private static VethNamespace ns;
  private static Process tlsServer;
  private static ServerSocketChannel http;
  private static SensorRun run;

  @BeforeAll
  static void namespaceServersAndAgent() throws Exception {
    Host.requireRoot("kernel tests need root");
    VethNamespace.removeLeftovers();
    ns =
        VethNamespace.create(
            "vigil-test-tls", "vigil-test-th", HOST_IP, "vigil-test-tn", NS_IP, null);
    Child.start(
            dir,
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=" + NAME,
            "-keyout",
            "key.pem",
            "-out",
            "cert.pem")
        .output();
    tlsServer =
        new ProcessBuilder(
                "openssl",
                "s_server",
                "-quiet",
                "-accept",
                HOST_IP + ":" + TLS_PORT,
                "-www",
                "-cert",
                "cert.pem",
                "-key",
                "key.pem")
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("s_server.log").toFile())
            .start();
    http = ServerSocketChannel.open(StandardProtocolFamily.INET);
    http.bind(new InetSocketAddress(HOST_IP, HTTP_PORT));
    Thread t = new Thread(TlsHttpLiveTest::serveHttp, "http-responder");
    t.setDaemon(true);
    t.start();
    run = SensorRun.start(dir, new SensorsYaml().withPacketCapture("netns:" + ns.name() + "/any"));
    run.awaitCapture("netns:vigil-test-tls/any");
  }

  @AfterAll
  static void stopEverything() throws Exception {
    try {
      if (run != null) {
        run.close();
      }
    } finally {
      if (tlsServer != null) {
        tlsServer.destroy();
        tlsServer.waitFor(10, TimeUnit.SECONDS);
      }
      if (http != null) {
        http.close();
      }
      if (ns != null) {
        ns.close();
      }
    }
  }

  private static void serveHttp() {
    byte[] reply =
        ("HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nContent-Length: 4\r\n"
                + "Connection: close\r\n\r\nnope")
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
  void curlOverHttpsGivesATlsEventWithSniAndJa4OfCurl() throws Exception {
    Child curl =
        ns.exec(
            dir,
            "curl",
            "-sSk",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "--resolve",
            NAME + ":" + TLS_PORT + ":" + HOST_IP,
            "https://" + NAME + ":" + TLS_PORT + "/");
    curl.output();
    TlsEvent tls =
        run.awaitEvent(
                "a TLS event of curl pid " + curl.pid(),
                EventKind.EVENT_KIND_TLS,
                e -> e.getTls().getProcess().getPid() == curl.pid())
            .getTls();
    String shown = "\n" + EventText.of(tls);
    assertEquals(NAME, tls.getServerName(), shown);
    assertTrue(tls.getJa4().matches("t13d\\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}"), shown);
    assertTrue(tls.getJa3().matches("[0-9a-f]{32}"), shown);
    assertEquals("TLS 1.3", tls.getVersion(), shown);
    assertTrue(tls.getCipherSuite() != 0, "the server's choice" + shown);
    assertEquals(NS_IP, tls.getClientIp(), shown);
    assertEquals(HOST_IP, tls.getServerIp(), shown);
    assertEquals(TLS_PORT, tls.getServerPort(), shown);
    assertTrue(tls.getProcess().getImage().endsWith("/curl"), shown);
  }

  @Test
  void curlOverPlainHttpGivesAnHttpEventWithItsUserAgent() throws Exception {
    String version = Child.start(dir, "curl", "--version").output().split(" ")[1];
    Child curl =
        ns.exec(
            dir,
            "curl",
            "-sS",
            "--max-time",
            "20",
            "-o",
            "/dev/null",
            "http://" + HOST_IP + ":" + HTTP_PORT + "/vigil/probe?x=1");
    curl.output();
    HttpEvent h =
        run.awaitEvent(
                "an HTTP event of curl pid " + curl.pid(),
                EventKind.EVENT_KIND_HTTP,
                e -> e.getHttp().getProcess().getPid() == curl.pid())
            .getHttp();
    String shown = "\n" + EventText.of(h);
    assertEquals("GET", h.getMethod(), shown);
    assertEquals("/vigil/probe?x=1", h.getUri(), shown);
    assertEquals(HOST_IP + ":" + HTTP_PORT, h.getHost(), shown);
    assertEquals("curl/" + version, h.getUserAgent(), shown);
    assertEquals(404, h.getStatusCode(), shown);
    assertEquals("text/plain", h.getContentType(), shown);
    assertEquals(4, h.getResponseBodyLength(), shown);
    assertTrue(h.getProcess().getImage().endsWith("/curl"), shown);
  }
}
