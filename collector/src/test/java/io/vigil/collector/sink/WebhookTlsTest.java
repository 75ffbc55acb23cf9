package io.vigil.collector.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.vigil.collector.tls.ServerPki;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An https webhook whose certificate is issued by a private CA: trusted with {@code ca_file}, and
 * refused without it (a failure for the sink to retry, not a delivery).
 */
class WebhookTlsTest {
  @TempDir Path dir;
  private ServerPki.Paths pki;
  private HttpsServer server;
  private final List<String> bodies = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws Exception {
    pki =
        ServerPki.ensure(
            new ServerPki.Paths(
                dir.resolve("ca.crt"),
                dir.resolve("ca.key"),
                dir.resolve("server.crt"),
                dir.resolve("server.key")),
            List.of());
    KeyStore ks = KeyStore.getInstance("PKCS12");
    ks.load(null, null);
    ks.setKeyEntry(
        "server",
        privateKey(pki.serverKey()),
        new char[0],
        new Certificate[] {ServerPki.readCertificate(pki.serverCert())});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, new char[0]);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 4);
    server.setHttpsConfigurator(new HttpsConfigurator(ctx));
    server.createContext(
        "/hook",
        exchange -> {
          bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          exchange.sendResponseHeaders(204, -1);
          exchange.close();
        });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private WebhookTarget target(Path caFile) {
    return new WebhookTarget(
        URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/hook"),
        "json",
        Duration.ofSeconds(20),
        Map.of(),
        caFile);
  }

  private static SinkAlert alert() {
    return new SinkAlert(
        9, "a", "h", "sigma", "r", "t", "high", List.of(), 1, 2, "{\"alert_id\":9}");
  }

  @Test
  void aPrivateCaInCaFileIsTrustedBesideTheSystemOnes() throws Exception {
    try (WebhookSender sender = new WebhookSender(target(pki.caCert()))) {
      sender.send(List.of(alert()));
    }
    assertEquals(List.of("{\"alert_id\":9}"), bodies);
  }

  @Test
  void withoutTheCaTheServerIsNotTrustedAndNothingCountsAsDelivered() throws Exception {
    try (WebhookSender sender = new WebhookSender(target(null))) {
      IOException e = assertThrows(IOException.class, () -> sender.send(List.of(alert())));
      assertTrue(
          e.toString().toLowerCase().contains("ssl") || e.toString().contains("PKIX"),
          e.toString());
    }
    assertTrue(bodies.isEmpty());
  }

  private static PrivateKey privateKey(Path file) throws Exception {
    String pem = Files.readString(file, StandardCharsets.US_ASCII);
    String body =
        pem.replace("-----BEGIN PRIVATE KEY-----", "")
            .replace("-----END PRIVATE KEY-----", "")
            .replaceAll("\\s", "");
    return KeyFactory.getInstance("EC")
        .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body)));
  }
}
