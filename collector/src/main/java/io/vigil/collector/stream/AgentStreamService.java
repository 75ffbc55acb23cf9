package io.vigil.collector.stream;

import io.grpc.MethodDescriptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServerStreamTracer;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.vigil.collector.ingest.IngestService;
import io.vigil.collector.trust.CollectorTrust;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.AgentServiceGrpc;
import io.vigil.proto.v1.CollectorMessage;

/**
 * The {@code vigil.v1.AgentService} endpoint. Add {@link #definition()} to any gRPC server builder:
 * Netty with TLS in production, in-process in tests. Thread-safe.
 */
public final class AgentStreamService {
  /** Batches a stream may have in flight to the store before it gets no further message. */
  static final int STREAM_WINDOW = 8;

  private final IngestService ingest;
  private final ConnectedAgents agents;
  private final StreamMetrics metrics;
  private final StreamLimits limits;
  private final OversizedMessageLog oversized;
  private final String collectorVersion;
  private final CollectorTrust trust;
  private final AgentStreamSlots slots;
  private final RefusalLog refusals = new RefusalLog(AgentStreamCall.log);

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
}
