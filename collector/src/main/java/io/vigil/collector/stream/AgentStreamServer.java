package io.vigil.collector.stream;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The network listener for agent streams and enrolment: Netty, TLS with client certificates
 * (checked by {@link AgentAuthInterceptor}) unless explicitly insecure; without TLS there is no
 * enrolment. Closing it stops accepting, ends the agent streams (agents reconnect later), and gives
 * calls five seconds to finish before cutting them.
 */
public final class AgentStreamServer implements AutoCloseable {
  private final Server server;
  private final ConnectedAgents agents;

  private AgentStreamServer(Server server, ConnectedAgents agents) {
    this.server = server;
    this.agents = agents;
  }

  /** The bound port (useful when started on port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.shutdown();
    // Agent streams never end by themselves: end them, or shutdown would wait out its timeout
    // while still taking in events.
    agents.closeAll("collector shutting down");
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /**
   * Starts listening.
   *
   * @param certChain PEM server certificate chain; ignored when {@code insecure}
   * @param key PEM PKCS#8 private key; ignored when {@code insecure}
   * @param service with the collector's trust unless {@code insecure}
   * @throws IllegalArgumentException with TLS and a service without trust
   */
  public static AgentStreamServer start(
      InetSocketAddress address,
      Path certChain,
      Path key,
      boolean insecure,
      AgentStreamService service,
      int maxMessageBytes)
      throws IOException {
    if (!insecure) {
      if (service.trust() == null) {
        throw new IllegalArgumentException(
            "TLS without client certificates: the service needs the collector's trust");
      }
      HandshakeFailureLog.install(service.metrics());
    }
    ServerCredentials creds =
        insecure
            ? InsecureServerCredentials.create()
            : TlsServerCredentials.newBuilder()
                .keyManager(certChain.toFile(), key.toFile())
                // Client certificates are optional at the TLS layer (enrolment has none yet) and
                // any chain passes the handshake; AgentAuthInterceptor decides, with a reason.
                .trustManager(new AnyClientCertificate())
                .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                .build();
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(address, creds).addService(service.definition());
    if (!insecure) {
      builder.addService(new EnrollmentEndpoint(service.trust().enrollments()).definition());
    }
    Server server =
        builder
            // Also bounds a compressed message after inflating (see LenientMarshaller).
            .maxInboundMessageSize(maxMessageBytes)
            .addStreamTracerFactory(service.oversizedMessageLog())
            // Agents ping every 30 s while streaming (see the agent's CollectorChannels); allow
            // that
            // and a little more, and ping idle agents ourselves to drop dead connections.
            .permitKeepAliveTime(10, TimeUnit.SECONDS)
            .keepAliveTime(60, TimeUnit.SECONDS)
            .keepAliveTimeout(20, TimeUnit.SECONDS)
            // A peer that never completes the TLS handshake (a port scanner, garbage bytes) is
            // dropped instead of holding a connection slot.
            .handshakeTimeout(10, TimeUnit.SECONDS)
            .build()
            .start();
    return new AgentStreamServer(server, service.agents());
  }
}
