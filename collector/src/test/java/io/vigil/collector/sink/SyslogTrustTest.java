package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vigil.collector.tls.CertificateAuthority;
import io.vigil.collector.tls.PemFiles;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ca_file} of a syslog sink means what it means for a webhook: its CAs are trusted beside
 * the system's, not instead of them. The "system" trust store is a file named by {@code
 * javax.net.ssl.trustStore} for the length of the test (the JDK reads it again when it changes).
 */
class SyslogTrustTest {
  private static final CertificateAuthority PUBLIC =
      CertificateAuthority.create("vigil-test-public CA", Duration.ofDays(1));
  private static final CertificateAuthority PRIVATE =
      CertificateAuthority.create("vigil-test-private CA", Duration.ofDays(1));

  @TempDir Path dir;

  @Test
  void aReceiverTheSystemTrustsIsStillTrustedWhenACaFileIsSet() throws Exception {
    Path systemStore = dir.resolve("system.p12");
    KeyStore trusted = KeyStore.getInstance("PKCS12");
    trusted.load(null, null);
    trusted.setCertificateEntry("public", PUBLIC.certificate());
    try (OutputStream out = Files.newOutputStream(systemStore)) {
      trusted.store(out, "changeit".toCharArray());
    }
    Path caFile = dir.resolve("private-ca.pem");
    PemFiles.write(caFile, CertificateAuthority.pem(PRIVATE.certificate()), false);

    String[] keys = {
      "javax.net.ssl.trustStore", "javax.net.ssl.trustStoreType", "javax.net.ssl.trustStorePassword"
    };
    String[] saved = new String[keys.length];
    for (int i = 0; i < keys.length; i++) {
      saved[i] = System.getProperty(keys[i]);
    }
    System.setProperty(keys[0], systemStore.toString());
    System.setProperty(keys[1], "PKCS12");
    System.setProperty(keys[2], "changeit");
    try {
      for (CertificateAuthority issuer : List.of(PUBLIC, PRIVATE)) {
        try (SSLServerSocket server = tlsServer(issuer);
            SyslogSender sender =
                new SyslogSender(
                    new SyslogTarget(
                        "tls", "127.0.0.1", server.getLocalPort(), caFile, "vigil", "local0", 2048),
                    "h")) {
          CompletableFuture<String> got = CompletableFuture.supplyAsync(() -> firstFrame(server));
          sender.send(
              List.of(
                  new SinkAlert(3, "a", "web-1", "sigma", "r", "t", "low", List.of(), 1, 2, "{}")));
          String frame = got.get(60, TimeUnit.SECONDS);
          assertTrue(frame.contains("alert_id=\"3\""), issuer.certificate() + ": " + frame);
        }
      }
    } finally {
      for (int i = 0; i < keys.length; i++) {
        if (saved[i] == null) {
          System.clearProperty(keys[i]);
        } else {
          System.setProperty(keys[i], saved[i]);
        }
      }
    }
  }

  private static SSLServerSocket tlsServer(CertificateAuthority ca) throws Exception {
    CertificateAuthority.Issued cert =
        ca.issueServer("syslog", List.of("127.0.0.1"), Duration.ofDays(1));
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server",
        cert.key(),
        new char[0],
        new Certificate[] {cert.certificate(), ca.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return (SSLServerSocket)
        ctx.getServerSocketFactory().createServerSocket(0, 4, InetAddress.getLoopbackAddress());
  }

  /** The first octet-counted frame of one connection; "" when the client gave up. */
  private static String firstFrame(SSLServerSocket server) {
    try (Socket s = server.accept()) {
      s.setSoTimeout(60_000);
      DataInputStream in = new DataInputStream(s.getInputStream());
      StringBuilder len = new StringBuilder();
      for (int b; (b = in.read()) != ' '; ) {
        if (b < 0) {
          return "";
        }
        len.append((char) b);
      }
      byte[] msg = new byte[Integer.parseInt(len.toString())];
      in.readFully(msg);
      s.setSoTimeout(1); // a TLS 1.3 close waits for the peer's close_notify, which never comes
      return new String(msg, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
