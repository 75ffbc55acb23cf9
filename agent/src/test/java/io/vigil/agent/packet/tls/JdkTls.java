package io.vigil.agent.packet.tls;

import java.io.FileInputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * Test-only: real TLS bytes from the JDK's own TLS stack. A server key and self-signed certificate
 * made with the JDK's keytool, and a client and a server {@link SSLEngine} run against each other
 * in memory, every record either side writes kept in order. Real input without copying capture
 * files into the repository.
 */
final class JdkTls {
  static final String PASSWORD = "changeit";
  static final String SUBJECT = "CN=vigil.test,OU=tls,O=Vigil";

  /** What each side wrote, in the order written. */
  record Chunk(boolean fromClient, byte[] data) {}

  private JdkTls() {}

  /** A PKCS12 keystore in {@code dir} with an EC key and a self-signed certificate. */
  static KeyStore keyStore(Path dir) throws Exception {
    Path file = dir.resolve("server.p12");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                SUBJECT,
                "-ext",
                "SAN=dns:vigil.test",
                "-validity",
                "30",
                "-storetype",
                "PKCS12",
                "-keystore",
                file.toString(),
                "-storepass",
                PASSWORD,
                "-keypass",
                PASSWORD)
            .redirectErrorStream(true)
            .start();
    String output = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IllegalStateException("keytool failed: " + output);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = new FileInputStream(file.toFile())) {
      ks.load(in, PASSWORD.toCharArray());
    }
    return ks;
  }

  static X509Certificate certificate(KeyStore ks) throws Exception {
    return (X509Certificate) ks.getCertificate("server");
  }

  /** A client engine (not connected to anything) with SNI and ALPN set. */
  static SSLEngine client(KeyStore trust, String protocol, String sni, String... alpn)
      throws Exception {
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    SSLEngine e = ctx.createSSLEngine(sni, 443);
    e.setUseClientMode(true);
    SSLParameters params = e.getSSLParameters();
    params.setProtocols(new String[] {protocol});
    params.setServerNames(List.of(new SNIHostName(sni)));
    params.setApplicationProtocols(alpn);
    e.setSSLParameters(params);
    return e;
  }

  static SSLEngine server(KeyStore ks, String protocol) throws Exception {
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, PASSWORD.toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    SSLEngine e = ctx.createSSLEngine();
    e.setUseClientMode(false);
    SSLParameters params = e.getSSLParameters();
    params.setProtocols(new String[] {protocol});
    params.setApplicationProtocols(new String[] {"h2"});
    e.setSSLParameters(params);
    return e;
  }

  /** The client's first flight alone: the ClientHello record(s). */
  static byte[] clientHelloRecords(SSLEngine client) throws Exception {
    ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
    client.beginHandshake();
    client.wrap(ByteBuffer.allocate(0), out);
    out.flip();
    byte[] b = new byte[out.remaining()];
    out.get(b);
    return b;
  }

  /** Runs the handshake and one application message each way; returns every chunk written. */
  static List<Chunk> handshake(SSLEngine client, SSLEngine server) throws Exception {
    List<Chunk> chunks = new ArrayList<>();
    int size = Math.max(client.getSession().getPacketBufferSize(), 1 << 15);
    ByteBuffer c2s = ByteBuffer.allocate(size * 4);
    ByteBuffer s2c = ByteBuffer.allocate(size * 4);
    ByteBuffer clientApp = ByteBuffer.wrap("GET / HTTP/1.1\r\n\r\n".getBytes());
    ByteBuffer serverApp = ByteBuffer.wrap("HTTP/1.1 200 OK\r\n\r\n".getBytes());
    ByteBuffer sink = ByteBuffer.allocate(size * 4);
    client.beginHandshake();
    server.beginHandshake();
    for (int round = 0; round < 200; round++) {
      boolean progress = step(client, clientApp, c2s, s2c, sink, chunks, true);
      progress |= step(server, serverApp, s2c, c2s, sink, chunks, false);
      if (!clientApp.hasRemaining() && !serverApp.hasRemaining() && !progress) {
        return chunks;
      }
    }
    throw new IllegalStateException("handshake did not finish");
  }

  /** One engine's turn: wrap what it has to say, unwrap what the peer said. */
  private static boolean step(
      SSLEngine e,
      ByteBuffer app,
      ByteBuffer outNet,
      ByteBuffer inNet,
      ByteBuffer sink,
      List<Chunk> chunks,
      boolean fromClient)
      throws Exception {
    boolean progress = false;
    int before = outNet.position();
    SSLEngineResult r;
    do {
      r = e.wrap(app, outNet);
      runTasks(e);
      if (r.getStatus() == SSLEngineResult.Status.BUFFER_OVERFLOW) {
        throw new IllegalStateException("network buffer full");
      }
    } while (r.bytesProduced() > 0);
    if (outNet.position() > before) {
      byte[] b = new byte[outNet.position() - before];
      outNet.duplicate().position(before).get(b);
      chunks.add(new Chunk(fromClient, b));
      progress = true;
    }
    inNet.flip();
    while (inNet.hasRemaining()) {
      r = e.unwrap(inNet, sink);
      runTasks(e);
      sink.clear();
      if (r.bytesConsumed() == 0) {
        break;
      }
      progress = true;
    }
    inNet.compact();
    return progress;
  }

  private static void runTasks(SSLEngine e) {
    Runnable t;
    while ((t = e.getDelegatedTask()) != null) {
      t.run();
    }
  }
}
