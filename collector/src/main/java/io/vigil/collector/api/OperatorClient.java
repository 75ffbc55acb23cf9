package io.vigil.collector.api;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.vigil.common.config.HostPort;
import io.vigil.proto.v1.OperatorServiceGrpc;
import io.vigil.proto.v1.OperatorServiceGrpc.OperatorServiceBlockingStub;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A connection to a collector's operator API, as {@code vigilctl} uses it: TLS trusting one CA file
 * (plaintext only when asked for), the API token sent with every call, each call with a deadline,
 * and failures turned into {@link OperatorApiException}s. Not for concurrent use by design (one
 * command per process); closing ends the connection.
 */
public final class OperatorClient implements AutoCloseable {
  /** Deadline of a call that does not wait for an agent. */
  public static final Duration CALL_DEADLINE = Duration.ofSeconds(30);

  private final ManagedChannel channel;
  private final OperatorServiceBlockingStub stub;
  private final String target;

  private OperatorClient(ManagedChannel channel, OperatorServiceBlockingStub stub, String target) {
    this.channel = channel;
    this.stub = stub;
    this.target = target;
  }

  /**
   * Prepares a connection (it is made at the first call).
   *
   * @param ca the CA certificate (PEM) the collector's server certificate must chain to; null for
   *     plaintext
   * @param token the API token; null sends none (for tests of the refusal)
   * @throws IOException when the CA file cannot be read
   */
  public static OperatorClient connect(HostPort collector, Path ca, String token)
      throws IOException {
    ChannelCredentials creds =
        ca == null
            ? InsecureChannelCredentials.create()
            : TlsChannelCredentials.newBuilder().trustManager(ca.toFile()).build();
    ManagedChannel channel =
        NettyChannelBuilder.forAddress(collector.host(), collector.port(), creds).build();
    Metadata headers = new Metadata();
    if (token != null) {
      headers.put(AuthInterceptor.AUTHORIZATION, "Bearer " + token);
    }
    OperatorServiceBlockingStub stub =
        OperatorServiceGrpc.newBlockingStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    return new OperatorClient(channel, stub, collector.toString());
  }

  /** Calls the API with the default deadline. */
  public <T> T call(Function<OperatorServiceBlockingStub, T> call) {
    return call(CALL_DEADLINE, call);
  }

  /**
   * Calls the API.
   *
   * @throws OperatorApiException when the collector refused the call or could not be reached
   */
  public <T> T call(Duration deadline, Function<OperatorServiceBlockingStub, T> call) {
    try {
      return call.apply(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
    } catch (StatusRuntimeException e) {
      throw failure(e.getStatus());
    }
  }

  private OperatorApiException failure(Status s) {
    String d = s.getDescription() == null ? s.getCode().toString() : s.getDescription();
    OperatorApiException.Kind kind =
        switch (s.getCode()) {
          case UNAUTHENTICATED -> OperatorApiException.Kind.UNAUTHENTICATED;
          case PERMISSION_DENIED -> OperatorApiException.Kind.PERMISSION_DENIED;
          case NOT_FOUND -> OperatorApiException.Kind.NOT_FOUND;
          case INVALID_ARGUMENT -> OperatorApiException.Kind.INVALID_ARGUMENT;
          case FAILED_PRECONDITION -> OperatorApiException.Kind.FAILED_PRECONDITION;
          case UNAVAILABLE, DEADLINE_EXCEEDED -> OperatorApiException.Kind.UNREACHABLE;
          default -> OperatorApiException.Kind.FAILED;
        };
    if (kind == OperatorApiException.Kind.UNREACHABLE) {
      d = "cannot reach the collector's operator API at " + target + ": " + s.getCode() + ": " + d;
      if (s.getCause() != null) {
        d += " (" + s.getCause().getMessage() + ")";
      }
    }
    return new OperatorApiException(kind, d);
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
