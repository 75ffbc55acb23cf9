package io.vigil.agent.ship;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.io.IOException;
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
   * The agent's client credentials and the CA the collector's certificate must chain to. The files
   * are read when the channel is built: a channel built after a renewal presents the new
   * certificate.
   *
   * @param certFile client certificate chain, PEM, leaf first
   * @param keyFile its PKCS#8 private key
   * @param caFile PEM CA certificate(s) the collector's certificate must chain to
   */
  public record ClientTls(Path certFile, Path keyFile, Path caFile) {}

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
                .keyManager(tls.certFile().toFile(), tls.keyFile().toFile())
                .trustManager(tls.caFile().toFile())
                .build();
    return build(host, port, creds, serverName, connectTimeout, keepAlive);
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
