package io.vigil.agent.ship;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.common.pki.Pem;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Builds the channel to the collector: mutual TLS (the agent's client certificate, the collector's
 * CA), or plaintext if told so.
 */
public final class CollectorChannels {
  private CollectorChannels() {}

  /**
   * The agent's client credentials and the CA the collector's certificate must chain to. A channel
   * built after a renewal is given the new certificate.
   *
   * @param certificate the client certificate chain with its key, as loaded and checked
   * @param caFile PEM CA certificate(s) the collector's certificate must chain to; read when the
   *     channel is built
   */
  public record ClientTls(ClientCertificate certificate, Path caFile) {}

  /**
   * A channel without a client certificate: plaintext when {@code insecure}, else TLS that only
   * checks the collector against {@code caFile}. A collector with mutual TLS refuses its streams;
   * it is for tools and tests that talk to a collector the way an agent's transport does.
   */
  public static ManagedChannel open(
      String host,
      int port,
      Path caFile,
      String serverName,
      boolean insecure,
      Duration connectTimeout,
      Duration keepAlive)
      throws IOException {
    ChannelCredentials creds =
        insecure
            ? InsecureChannelCredentials.create()
            : TlsChannelCredentials.newBuilder().trustManager(caFile.toFile()).build();
    return build(host, port, creds, serverName, connectTimeout, keepAlive);
  }

  /**
   * @param tls the mutual TLS files; null only for plaintext
   * @param serverName name to verify in the certificate; empty for the host of the address
   */
  public static ManagedChannel open(
      String host,
      int port,
      ClientTls tls,
      String serverName,
      Duration connectTimeout,
      Duration keepAlive)
      throws IOException {
    ChannelCredentials creds =
        tls == null
            ? InsecureChannelCredentials.create()
            : TlsChannelCredentials.newBuilder()
                .keyManager(chainPem(tls.certificate()), keyPem(tls.certificate()))
                .trustManager(tls.caFile().toFile())
                .build();
    return build(host, port, creds, serverName, connectTimeout, keepAlive);
  }

  private static InputStream chainPem(ClientCertificate c) {
    StringBuilder pem = new StringBuilder();
    c.chain().forEach(x -> pem.append(Pem.of(x)));
    return new ByteArrayInputStream(pem.toString().getBytes(StandardCharsets.US_ASCII));
  }

  private static InputStream keyPem(ClientCertificate c) {
    return new ByteArrayInputStream(Pem.of(c.key()).getBytes(StandardCharsets.US_ASCII));
  }

  private static ManagedChannel build(
      String host,
      int port,
      ChannelCredentials creds,
      String serverName,
      Duration connectTimeout,
      Duration keepAlive) {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(host, port, creds)
            // Keep-alive pings find a dead collector (or a silently dropped NAT entry) while the
            // agent only listens for acks; the collector permits pings at this rate.
            .keepAliveTime(keepAlive.toMillis(), TimeUnit.MILLISECONDS)
            .keepAliveTimeout(10, TimeUnit.SECONDS)
            .keepAliveWithoutCalls(false)
            .withOption(
                io.grpc.netty.shaded.io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
            .maxInboundMessageSize(4 << 20)
            .compressorRegistry(FastGzip.registry())
            .userAgent("vigil-agent");
    if (serverName != null && !serverName.isEmpty()) {
      b.overrideAuthority(serverName + ":" + port);
    }
    return b.build();
  }
}
