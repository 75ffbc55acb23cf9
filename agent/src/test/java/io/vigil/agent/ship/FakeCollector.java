package io.vigil.agent.ship;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.vigil.agent.pki.ClientCertificate;
import io.vigil.agent.pki.TestCa;
import io.vigil.common.pki.Pem;
import io.vigil.proto.v1.Ack;
import io.vigil.proto.v1.AgentMessage;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.EnrollRequest;
import io.vigil.proto.v1.EnrollResponse;
import io.vigil.proto.v1.EnrollmentServiceGrpc;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.RenewResponse;
import io.vigil.proto.v1.SensorState;
import io.vigil.proto.v1.Welcome;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * A stand-in for the collector, for the agent's own tests: a real Netty gRPC server on loopback
 * with TLS (client certificates optional at the handshake, required by the stream service, as the
 * contract has it), an enrolment service that records every token it receives, and a stream service
 * that acknowledges batches and answers renewal requests from its {@link TestCa}.
 */
public final class FakeCollector implements AutoCloseable {
  private static final Context.Key<X509Certificate> PEER = Context.key("peer-certificate");

  /** The token the enrolment service accepts. */
  public static final String GOOD_TOKEN = "vigil-enroll-" + "A".repeat(43);

  private final TestCa ca;
  private final Server server;

  /** Every enrolment request that reached the service (a refused TLS peer never gets here). */
  public final List<EnrollRequest> enrollments = Collections.synchronizedList(new ArrayList<>());

  /** One entry per stream whose Hello arrived: agent id and client certificate serial. */
  public final List<String> streams = Collections.synchronizedList(new ArrayList<>());

  /** The "collector" entries of every AgentStatus event received, in order. */
  public final List<SensorState> linkStates = Collections.synchronizedList(new ArrayList<>());

  public final AtomicInteger renewRequests = new AtomicInteger();
  public final AtomicLong watermark = new AtomicLong();

  /** When set, the id enrolment assigns instead of the proposed one. */
  public volatile UUID assignId;

  /** When set, every stream is ended with it after the Hello. */
  public volatile Status refuseStreams;

  /** Validity of the certificates enrolment and renewal issue. */
  public volatile Duration validity = Duration.ofHours(1);

  /** When set, renewals are answered with this error. */
  public volatile String renewError;

  /** PEM text enrolment appends to its {@code ca_certificate_pem} after the CA. */
  public volatile String extraCaPem = "";

  /** The description of the refusal of an unknown token. */
  public volatile String tokenRefusal = "unknown, expired, used-up or revoked enrolment token";

  private FakeCollector(TestCa ca, Server server) {
    this.ca = ca;
    this.server = server;
  }

  /**
   * Starts on a free loopback port, presenting {@code chainPem} (leaf first) with {@code keyPem}.
   */
  public static FakeCollector start(TestCa ca, String chainPem, String keyPem, Path dir)
      throws Exception {
    Files.createDirectories(dir);
    Path chain = Files.writeString(dir.resolve("server.pem"), chainPem);
    Path key = Files.writeString(dir.resolve("server.key"), keyPem);
    Path caFile = Files.writeString(dir.resolve("server-ca.pem"), ca.pem());
    FakeCollector[] self = new FakeCollector[1];
    Server server =
        NettyServerBuilder.forAddress(
                new InetSocketAddress("127.0.0.1", 0),
                TlsServerCredentials.newBuilder()
                    .keyManager(chain.toFile(), key.toFile())
                    .trustManager(caFile.toFile())
                    .clientAuth(TlsServerCredentials.ClientAuth.OPTIONAL)
                    .build())
            .addService(new Enrollment(() -> self[0]))
            .addService(ServerInterceptors.intercept(new Stream(() -> self[0]), new PeerCert()))
            .build()
            .start();
    self[0] = new FakeCollector(ca, server);
    return self[0];
  }

  /** Starts with a server certificate for 127.0.0.1 and localhost from {@code ca}. */
  public static FakeCollector start(TestCa ca, Path dir) throws Exception {
    TestCa.Issued s = ca.issueServer(List.of("127.0.0.1", "localhost"));
    return start(ca, ca.chainPem(s.certificate()), s.keyPem(), dir);
  }

  public int port() {
    return server.getPort();
  }

  public TestCa ca() {
    return ca;
  }

  private X509Certificate issue(byte[] csr, UUID id) {
    try {
      Instant now = Instant.now();
      return ca.issueClient(csr, id, now.minus(Duration.ofMinutes(1)), now.plus(validity));
    } catch (Exception e) {
      throw Status.INVALID_ARGUMENT.withDescription("bad CSR: " + e).asRuntimeException();
    }
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static final class PeerCert implements ServerInterceptor {
    @Override
    public <Q, R> ServerCall.Listener<Q> interceptCall(
        ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
      X509Certificate peer = null;
      SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
      if (session != null) {
        try {
          peer = (X509Certificate) session.getPeerCertificates()[0];
        } catch (SSLPeerUnverifiedException e) {
          peer = null;
        }
      }
      return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
    }
  }

  private static final class Enrollment extends EnrollmentServiceGrpc.EnrollmentServiceImplBase {
    private final java.util.function.Supplier<FakeCollector> self;

    Enrollment(java.util.function.Supplier<FakeCollector> self) {
      this.self = self;
    }

    @Override
    public void enroll(EnrollRequest request, StreamObserver<EnrollResponse> response) {
      FakeCollector c = self.get();
      c.enrollments.add(request);
      if (!GOOD_TOKEN.equals(request.getToken())) {
        response.onError(
            Status.UNAUTHENTICATED.withDescription(c.tokenRefusal).asRuntimeException());
        return;
      }
      UUID id = c.assignId != null ? c.assignId : UUID.fromString(request.getProposedAgentId());
      try {
        X509Certificate cert = c.issue(request.getCsr().toByteArray(), id);
        response.onNext(
            EnrollResponse.newBuilder()
                .setAgentId(id.toString())
                .setCertificateChainPem(c.ca.chainPem(cert))
                .setCaCertificatePem(c.ca.pem() + c.extraCaPem)
                .setNotAfterNs(cert.getNotAfter().getTime() * 1_000_000L)
                .build());
        response.onCompleted();
      } catch (RuntimeException e) {
        response.onError(e);
      }
    }
  }

  private static final class Stream extends AgentServiceGrpc.AgentServiceImplBase {
    private final java.util.function.Supplier<FakeCollector> self;

    Stream(java.util.function.Supplier<FakeCollector> self) {
      this.self = self;
    }

    @Override
    public StreamObserver<AgentMessage> stream(StreamObserver<CollectorMessage> out) {
      FakeCollector c = self.get();
      X509Certificate peer = PEER.get();
      return new StreamObserver<>() {
        private String epoch = "";

        @Override
        public void onNext(AgentMessage m) {
          switch (m.getBodyCase()) {
            case HELLO -> {
              if (peer == null) {
                out.onError(
                    Status.UNAUTHENTICATED
                        .withDescription("no client certificate")
                        .asRuntimeException());
                return;
              }
              if (c.refuseStreams != null) {
                out.onError(c.refuseStreams.asRuntimeException());
                return;
              }
              epoch = m.getHello().getStreamEpoch();
              c.streams.add(m.getHello().getAgentId() + " " + peer.getSerialNumber());
              out.onNext(
                  CollectorMessage.newBuilder()
                      .setWelcome(Welcome.newBuilder().setResumeAfterSeq(c.watermark.get()))
                      .build());
            }
            case BATCH -> {
              for (com.google.protobuf.ByteString b : m.getBatch().getEventsList()) {
                try {
                  Event e = Event.parseFrom(b);
                  if (e.hasAgentStatus()) {
                    for (SensorState st : e.getAgentStatus().getSensorsList()) {
                      if (st.getName().equals("collector")) {
                        c.linkStates.add(st);
                      }
                    }
                  }
                } catch (com.google.protobuf.InvalidProtocolBufferException ex) {
                  throw new IllegalStateException(ex);
                }
              }
              long last = m.getBatch().getFirstSeq() + m.getBatch().getEventsCount() - 1;
              long w = c.watermark.accumulateAndGet(last, Math::max);
              out.onNext(
                  CollectorMessage.newBuilder()
                      .setAck(Ack.newBuilder().setAckedSeq(w).setStreamEpoch(epoch))
                      .build());
            }
            case RENEW -> {
              c.renewRequests.incrementAndGet();
              RenewResponse.Builder r = RenewResponse.newBuilder();
              if (c.renewError != null) {
                r.setError(c.renewError);
              } else {
                UUID id = UUID.fromString(ClientCertificate.commonName(peer).orElseThrow());
                X509Certificate cert = c.issue(m.getRenew().getCsr().toByteArray(), id);
                r.setCertificateChainPem(c.ca.chainPem(cert))
                    .setNotAfterNs(cert.getNotAfter().getTime() * 1_000_000L);
              }
              out.onNext(CollectorMessage.newBuilder().setRenewal(r).build());
            }
            default -> {}
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          out.onCompleted();
        }
      };
    }
  }

  /** The serial of the first certificate in {@code pem}. */
  public static BigInteger serialOf(String pem) throws Exception {
    return Pem.certificates(pem).get(0).getSerialNumber();
  }
}
