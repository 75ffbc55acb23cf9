package io.vigil.collector.stream;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The network listener for agent streams and enrolment: Netty, TLS with client certificates
 * (checked by {@link AgentAuthInterceptor}) unless explicitly insecure; without TLS there is no
 * enrolment. Closing it stops accepting, ends the agent streams (agents reconnect later), and gives
 * calls five seconds to finish before cutting them.
 */
public final class AgentStreamServer implements AutoCloseable {
  /**
   * Calls per connection at once: an agent needs one stream (two while a reconnect supersedes the
   * old one) and one Enroll call; more from one connection is a flood.
   */
  static final int MAX_CALLS_PER_CONNECTION = 32;

  /**
   * A connection without any call for this long is closed (with GOAWAY, so a client reconnects when
   * it needs to). A live agent stream is a call, so it is never idle however quiet it is.
   */
  static final Duration MAX_CONNECTION_IDLE = Duration.ofMinutes(2);

  private final Server server;
  private final ConnectedAgents agents;
  private final EnrollCallLimiter enrollLimiter;

  private AgentStreamServer(Server server, ConnectedAgents agents, EnrollCallLimiter limiter) {
    this.server = server;
    this.agents = agents;
    this.enrollLimiter = limiter;
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
    } finally {
      if (enrollLimiter != null) {
        enrollLimiter.close();
      }
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
    return start(
        address,
        certChain,
        key,
        insecure,
        service,
        maxMessageBytes,
        EnrollCallLimiter.DEFAULT_MAX_CONCURRENT,
        EnrollCallLimiter.DEFAULT_TIMEOUT);
  }

  /**
   * As above, with {@code maxEnrolls} Enroll calls in progress at most, each closed after {@code
   * enrollTimeout} (tests use other values than the defaults).
   */
  static AgentStreamServer start(
      InetSocketAddress address,
      Path certChain,
      Path key,
      boolean insecure,
      AgentStreamService service,
      int maxMessageBytes,
      int maxEnrolls,
      Duration enrollTimeout)
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
    EnrollCallLimiter limiter = null;
    if (!insecure) {
      limiter = new EnrollCallLimiter(maxEnrolls, enrollTimeout, service.metrics());
      builder.addService(new EnrollmentEndpoint(service.trust().enrollments()).definition(limiter));
    }
    Server server;
    try {
      server = build(builder, service, maxMessageBytes).start();
    } catch (IOException | RuntimeException e) {
      if (limiter != null) {
        limiter.close();
      }
      throw e;
    }
    return new AgentStreamServer(server, service.agents(), limiter);
  }

  private static Server build(
      NettyServerBuilder builder, AgentStreamService service, int maxMessageBytes) {
    return builder
        // Also bounds a compressed message after inflating (see LenientMarshaller).
        .maxInboundMessageSize(maxMessageBytes)
        // Each call can hold a message of up to maxMessageBytes; bound them per connection.
        .maxConcurrentCallsPerConnection(MAX_CALLS_PER_CONNECTION)
        .maxConnectionIdle(MAX_CONNECTION_IDLE.toSeconds(), TimeUnit.SECONDS)
        .addStreamTracerFactory(service.oversizedMessageLog())
        // Agents ping every 30 s while streaming (see the agent's CollectorChannels); allow
        // that and a little more, and ping idle agents ourselves to drop dead connections.
        .permitKeepAliveTime(10, TimeUnit.SECONDS)
        .keepAliveTime(60, TimeUnit.SECONDS)
        .keepAliveTimeout(20, TimeUnit.SECONDS)
        // A peer that never completes the TLS handshake (a port scanner, garbage bytes) is
        // dropped instead of holding a connection slot.
        .handshakeTimeout(10, TimeUnit.SECONDS)
        .build();
  }
}
