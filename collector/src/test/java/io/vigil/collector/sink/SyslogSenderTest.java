package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.PemFiles;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stream transports against receivers on loopback made of JDK sockets. */
class SyslogSenderTest {
  private static final CertificateAuthority CA =
      CertificateAuthority.create("vigil-test-syslog CA", Duration.ofDays(1));

  @TempDir Path dir;

  private static SinkAlert alert(long id) {
    return new SinkAlert(
        id, "agent-1", "web-1", "sigma", "rule-1", "title " + id, "low", List.of(), 1, 2, "{}");
  }

  private static SyslogTarget target(String transport, String host, int port, Path ca) {
    return new SyslogTarget(transport, host, port, ca, "vigil", "local0", 2048);
  }

  /** Reads octet-counted frames ({@code LEN SP MSG}) until {@code n} were read. */
  private static List<String> frames(InputStream in, int n) throws IOException {
    DataInputStream d = new DataInputStream(in);
    List<String> out = new ArrayList<>();
    while (out.size() < n) {
      ByteArrayOutputStream len = new ByteArrayOutputStream();
      for (int b; (b = d.read()) != ' '; ) {
        if (b < '0' || b > '9') {
          throw new IOException("not an octet count: " + len + (char) b);
        }
        len.write(b);
      }
      byte[] msg = new byte[Integer.parseInt(len.toString(StandardCharsets.US_ASCII))];
      d.readFully(msg);
      out.add(new String(msg, StandardCharsets.UTF_8));
    }
    return out;
  }

  @Test
  void tcpFramesByOctetCountAndReconnectsWhenTheReceiverClosed() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 4, InetAddress.getLoopbackAddress());
        SyslogSender sender =
            new SyslogSender(target("tcp", "127.0.0.1", server.getLocalPort(), null))) {
      CompletableFuture<List<String>> first =
          CompletableFuture.supplyAsync(() -> acceptAndRead(server, 2));
      sender.send(List.of(alert(1), alert(2)));
      List<String> got = first.get(60, TimeUnit.SECONDS); // the receiver closed it after reading
      assertTrue(got.get(0).startsWith("<133>1 ") && got.get(0).contains("|title 1|"), got.get(0));
      assertTrue(got.get(1).contains("alert_id=\"2\""), got.get(1));

      CompletableFuture<List<String>> second =
          CompletableFuture.supplyAsync(() -> acceptAndRead(server, 1));
      Thread.sleep(100); // let the FIN arrive; the sender notices it before writing
      sender.send(List.of(alert(3)));
      assertTrue(second.get(60, TimeUnit.SECONDS).get(0).contains("alert_id=\"3\""));
    }
  }

  @Test
  void tcpSendFailsWhileNothingListens() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (SyslogSender sender = new SyslogSender(target("tcp", "127.0.0.1", port, null))) {
      assertThrows(IOException.class, () -> sender.send(List.of(alert(1))));
      assertEquals("syslog tcp 127.0.0.1:" + port, sender.describe());
    }
  }

  @Test
  void udpToAPortNobodyListensOnFailsALaterSend() throws Exception {
    int port;
    try (java.net.DatagramSocket s =
        new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    try (SyslogSender sender = new SyslogSender(target("udp", "127.0.0.1", port, null))) {
      // The first datagram goes out; the ICMP port unreachable it draws fails a later send.
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      IOException failed = null;
      while (failed == null && System.nanoTime() < deadline) {
        try {
          sender.send(List.of(alert(1)));
          Thread.sleep(50);
        } catch (IOException e) {
          failed = e;
        }
      }
      assertTrue(failed instanceof java.net.PortUnreachableException, String.valueOf(failed));
    }
  }

  @Test
  void tlsChecksTheReceiversNameAgainstItsCertificate() throws Exception {
    Path ca = dir.resolve("ca.pem");
    PemFiles.write(ca, CertificateAuthority.pem(CA.certificate()), false);
    try (SSLServerSocket good = tlsServer(List.of("127.0.0.1"));
        SyslogSender sender =
            new SyslogSender(target("tls", "127.0.0.1", good.getLocalPort(), ca))) {
      CompletableFuture<List<String>> got =
          CompletableFuture.supplyAsync(() -> acceptAndRead(good, 1));
      sender.send(List.of(alert(5)));
      assertTrue(got.get(60, TimeUnit.SECONDS).get(0).contains("alert_id=\"5\""));
    }
    try (SSLServerSocket wrongName = tlsServer(List.of("vigil-test-other.invalid"));
        SyslogSender sender =
            new SyslogSender(target("tls", "127.0.0.1", wrongName.getLocalPort(), ca))) {
      CompletableFuture.runAsync(() -> acceptAndRead(wrongName, 1));
      IOException e = assertThrows(IOException.class, () -> sender.send(List.of(alert(6))));
      assertTrue(String.valueOf(e.getMessage()).contains("127.0.0.1"), e.toString());
    }
  }

  @Test
  void tlsWithoutTheCaFileTrustsOnlyTheJdkDefaults() throws Exception {
    try (SSLServerSocket server = tlsServer(List.of("127.0.0.1"));
        SyslogSender sender =
            new SyslogSender(target("tls", "127.0.0.1", server.getLocalPort(), null))) {
      CompletableFuture.runAsync(() -> acceptAndRead(server, 1));
      assertThrows(IOException.class, () -> sender.send(List.of(alert(7))));
    }
  }

  @Test
  void unusableTargetsAreRefusedAtConstruction() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyslogSender(target("sctp", "127.0.0.1", 514, null)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyslogSender(new SyslogTarget("udp", "h", 514, null, "v", "local0", 479)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyslogSender(new SyslogTarget("udp", "h", 514, null, "v", "local9", 2048)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new SyslogSender(target("tls", "h", 6514, dir.resolve("missing.pem"))));
  }

  private SSLServerSocket tlsServer(List<String> names) throws Exception {
    CertificateAuthority.Issued cert = CA.issueServer("syslog", names, Duration.ofDays(1));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server",
        cert.key(),
        new char[0],
        new Certificate[] {cert.certificate(), CA.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return (SSLServerSocket)
        ctx.getServerSocketFactory().createServerSocket(0, 4, InetAddress.getLoopbackAddress());
  }

  /** Accepts one connection, reads {@code n} frames, closes it; [] when the client gave up. */
  private static List<String> acceptAndRead(ServerSocket server, int n) {
    try (Socket s = server.accept()) {
      s.setSoTimeout(60_000);
      List<String> got = frames(s.getInputStream(), n);
      s.setSoTimeout(1); // a TLS 1.3 close waits for the peer's close_notify, which never comes
      return got;
    } catch (IOException e) {
      return List.of();
    }
  }
}
