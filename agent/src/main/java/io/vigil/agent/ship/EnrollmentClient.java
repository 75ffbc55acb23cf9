package io.vigil.agent.ship;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.vigil.agent.pki.PinnedCaTrustManager;
import io.vigil.common.config.HostPort;
import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.EnrollRequest;
import io.vigil.proto.v1.EnrollResponse;
import io.vigil.proto.v1.EnrollmentServiceGrpc;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The one enrolment call: TLS to the collector with its CA pinned by fingerprint ({@link
 * PinnedCaTrustManager}, host name verified), then {@code EnrollmentService.Enroll}. gRPC sends the
 * request only after the handshake, so a collector that fails the pin never receives the token.
 * Stateless; blocks for at most the timeout.
 */
public final class EnrollmentClient {
  private EnrollmentClient() {}

  /**
   * Enrols.
   *
   * @param serverName name the collector's certificate must carry; empty for the host of {@code
   *     collector}
   * @param trust the pinning trust manager; after a failure its {@link
   *     PinnedCaTrustManager#refusal} says why the collector was not trusted
   * @throws EnrollmentException saying why not, in words for the operator
   */
  public static EnrollResponse enroll(
      HostPort collector,
      String serverName,
      PinnedCaTrustManager trust,
      EnrollRequest request,
      Duration timeout)
      throws EnrollmentException {
    NettyChannelBuilder b =
        NettyChannelBuilder.forAddress(
                collector.host(),
                collector.port(),
                TlsChannelCredentials.newBuilder().trustManager(trust).build())
            .withOption(
                io.grpc.netty.shaded.io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, timeout.toMillis()))
            .maxInboundMessageSize(1 << 20)
            .userAgent("vigil-agent-enroll");
    if (serverName != null && !serverName.isEmpty()) {
      b.overrideAuthority(serverName + ":" + collector.port());
    }
    ManagedChannel channel = b.build();
    try {
      return EnrollmentServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .enroll(request);
    } catch (StatusRuntimeException e) {
      throw translate(collector, trust, e.getStatus());
    } finally {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static EnrollmentException translate(
      HostPort collector, PinnedCaTrustManager trust, Status s) {
    if (trust.refusal().isPresent()) {
      return new EnrollmentException(
          EnrollmentException.Kind.UNTRUSTED_COLLECTOR, trust.refusal().get(), s.getCause());
    }
    // The description is the collector's text (a refusal reason): escaped before it is printed.
    String why =
        s.getDescription() == null
            ? s.getCode().toString()
            : TerminalText.escape(s.getDescription(), 300);
    return switch (s.getCode()) {
      case UNAUTHENTICATED, PERMISSION_DENIED, RESOURCE_EXHAUSTED ->
          new EnrollmentException(
              EnrollmentException.Kind.REFUSED,
              "the collector at " + collector + " refused the enrolment: " + why,
              s.getCause());
      case INVALID_ARGUMENT ->
          new EnrollmentException(
              EnrollmentException.Kind.BAD_REQUEST,
              "the collector at " + collector + " refused the certificate request: " + why,
              s.getCause());
      case UNIMPLEMENTED ->
          new EnrollmentException(
              EnrollmentException.Kind.UNREACHABLE,
              "the service at "
                  + collector
                  + " does not offer enrolment (not a Vigil collector, or"
                  + " an older one)",
              s.getCause());
      default ->
          new EnrollmentException(
              EnrollmentException.Kind.UNREACHABLE,
              "cannot reach the collector at " + collector + ": " + Shipper.describe(s),
              s.getCause());
    };
  }
}
