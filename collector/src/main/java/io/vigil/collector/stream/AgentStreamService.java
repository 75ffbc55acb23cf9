package io.vigil.collector.stream;

import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.Status;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.trust.AgentPrincipal;
import io.vigil.collector.trust.CollectorTrust;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.common.time.WallClock;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;
import io.vigil.proto.v1.FileChunk;
import io.vigil.proto.v1.ProbeReply;
import io.vigil.proto.v1.ProbeRequest;
import io.vigil.proto.v1.UploadReceipt;

/**
 * The {@code vigil.v1.AgentService} endpoint: the agent stream, file uploads for CollectFile
 * commands ({@link FileUploads}) and probes. Add {@link #definition()} to any gRPC server builder:
 * Netty with TLS in production, in-process in tests. Thread-safe.
 */
public final class AgentStreamService {
  /** Batches a stream may have in flight to the store before it gets no further message. */
  static final int STREAM_WINDOW = 8;

  /** Longest probe nonce echoed, in chars. */
  static final int MAX_NONCE_CHARS = 256;

  private final IngestService ingest;
  private final ConnectedAgents agents;
  private final StreamMetrics metrics;
  private final StreamLimits limits;
  private final OversizedMessageLog oversized;
  private final String collectorVersion;
  private final CollectorTrust trust;
  private final AgentStreamSlots slots;
  private final RefusalLog refusals = new RefusalLog(AgentStreamCall.log);
  private final FileUploads uploads;

  /**
   * The service without trust and with the default limits of {@link StreamLimits#defaults}: the
   * agent id is taken from the Hello. Only for a collector started with {@code --insecure}
   * (plaintext) and in-process tests; {@link AgentStreamServer} refuses it with TLS.
   */
  public AgentStreamService(
      IngestService ingest,
      ConnectedAgents agents,
      MetricsRegistry registry,
      int maxMessageBytes,
      String collectorVersion) {
    this(ingest, agents, registry, StreamLimits.defaults(maxMessageBytes), collectorVersion, null);
  }

  /** As the constructor above, holding every stream to {@code limits}. */
  public AgentStreamService(
      IngestService ingest,
      ConnectedAgents agents,
      MetricsRegistry registry,
      StreamLimits limits,
      String collectorVersion) {
    this(ingest, agents, registry, limits, collectorVersion, null);
  }

  /**
   * The service with trust and the default limits for this message size.
   *
   * @param trust the collector's trust, or null for none (see the first constructor)
   */
  public AgentStreamService(
      IngestService ingest,
      ConnectedAgents agents,
      MetricsRegistry registry,
      int maxMessageBytes,
      String collectorVersion,
      CollectorTrust trust) {
    this(ingest, agents, registry, StreamLimits.defaults(maxMessageBytes), collectorVersion, trust);
  }

  /**
   * The service with trust: every stream needs a client certificate issued by the collector CA, and
   * the agent id is the one it names; every stream is held to {@code limits}.
   *
   * @param trust the collector's trust, or null for none (see the first constructor)
   */
  public AgentStreamService(
      IngestService ingest,
      ConnectedAgents agents,
      MetricsRegistry registry,
      StreamLimits limits,
      String collectorVersion,
      CollectorTrust trust) {
    this(ingest, agents, registry, limits, collectorVersion, trust, null);
  }

  /**
   * As above, also taking file uploads for CollectFile commands ({@code Upload}).
   *
   * @param uploads where uploads go; null: Upload is refused with UNIMPLEMENTED
   */
  public AgentStreamService(
      IngestService ingest,
      ConnectedAgents agents,
      MetricsRegistry registry,
      StreamLimits limits,
      String collectorVersion,
      CollectorTrust trust,
      FileUploads uploads) {
    this.uploads = uploads;
    this.trust = trust;
    this.ingest = ingest;
    this.agents = agents;
    this.metrics = new StreamMetrics(registry);
    this.limits = limits;
    this.oversized = new OversizedMessageLog(registry);
    this.collectorVersion = collectorVersion;
    this.slots = new AgentStreamSlots(limits.maxEventsPerSecond(), metrics.throttled);
  }

  /**
   * Counts and logs streams refused for an oversized message; add it to the server builder ({@code
   * addStreamTracerFactory}), since gRPC refuses a too-large frame before the service sees it.
   */
  public ServerStreamTracer.Factory oversizedMessageLog() {
    return oversized;
  }

  /** The limits every stream is held to. */
  public StreamLimits limits() {
    return limits;
  }

  ConnectedAgents agents() {
    return agents;
  }

  MetricsRegistry metrics() {
    return metrics.registry;
  }

  /** Streams and rate buckets by agent. */
  AgentStreamSlots slots() {
    return slots;
  }

  /** The trust the service authenticates agents with; null without. */
  CollectorTrust trust() {
    return trust;
  }

  /**
   * The service, with the lenient request marshaller, the peer-address interceptor and, with trust,
   * the client-certificate check and the streams-per-agent bound.
   */
  public ServerServiceDefinition definition() {
    MethodDescriptor<InboundMessage, CollectorMessage> method =
        AgentServiceGrpc.getStreamMethod().toBuilder(
                new LenientMarshaller(limits),
                ProtoUtils.marshaller(CollectorMessage.getDefaultInstance()))
            .build();
    ServerServiceDefinition def =
        ServerServiceDefinition.builder(AgentServiceGrpc.SERVICE_NAME)
            .addMethod(method, ServerCalls.asyncBidiStreamingCall(this::open))
            .addMethod(
                AgentServiceGrpc.getUploadMethod(),
                ServerCalls.asyncClientStreamingCall(this::upload))
            .addMethod(AgentServiceGrpc.getProbeMethod(), ServerCalls.asyncUnaryCall(this::probe))
            .build();
    if (trust == null) {
      return ServerInterceptors.intercept(def, new PeerInterceptor());
    }
    // The last interceptor runs first: the peer address is known when the certificate is checked.
    return ServerInterceptors.intercept(
        def,
        new AgentAuthInterceptor(trust.authenticator(), slots, metrics.tooManyStreams),
        new PeerInterceptor());
  }

  private StreamObserver<InboundMessage> open(StreamObserver<CollectorMessage> responses) {
    ServerCallStreamObserver<CollectorMessage> out =
        (ServerCallStreamObserver<CollectorMessage>) responses;
    // Manual inbound flow control: the call asks for more messages only as batches commit.
    out.disableAutoRequest();
    AgentStreamCall call =
        new AgentStreamCall(
            out,
            ingest,
            agents,
            metrics,
            PeerInterceptor.PEER.get(),
            trust,
            AgentAuthInterceptor.PRINCIPAL.get(),
            limits,
            collectorVersion,
            slots,
            AgentAuthInterceptor.SLOT.get(),
            refusals);
    out.request(1); // the Hello
    return call;
  }

  /**
   * One upload. The agent is the one its certificate names; without trust ({@code --insecure}) the
   * file is taken for whichever agent its command was sent to: the command id, random and known
   * only to that agent and the collector, stands in for the identity.
   */
  private StreamObserver<FileChunk> upload(StreamObserver<UploadReceipt> out) {
    if (uploads == null) {
      UploadCall.refuse(
          out, Status.UNIMPLEMENTED.withDescription("this collector does not take uploads"));
      return new UploadCall.Ignored();
    }
    AgentPrincipal p = AgentAuthInterceptor.PRINCIPAL.get();
    if (trust != null && p == null) {
      UploadCall.refuse(out, Status.UNAUTHENTICATED.withDescription("no client certificate"));
      return new UploadCall.Ignored();
    }
    return uploads.open(p == null ? null : p.agentId(), PeerInterceptor.PEER.get(), out);
  }

  /**
   * Answers a probe at once with its nonce and the collector's clock: the agent's proof that its
   * collector still answers over a fresh connection (authenticated like a stream).
   */
  private void probe(ProbeRequest r, StreamObserver<ProbeReply> out) {
    if (r.getNonce().length() > MAX_NONCE_CHARS) {
      out.onError(
          Status.INVALID_ARGUMENT
              .withDescription("nonce: at most " + MAX_NONCE_CHARS + " characters")
              .asRuntimeException());
      return;
    }
    out.onNext(
        ProbeReply.newBuilder()
            .setNonce(r.getNonce())
            .setCollectorTimeNs(WallClock.nowNanos())
            .build());
    out.onCompleted();
  }
}
