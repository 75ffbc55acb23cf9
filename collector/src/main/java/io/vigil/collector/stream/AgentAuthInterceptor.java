package io.vigil.collector.stream;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vigil.collector.trust.AgentAuthenticator;
import io.vigil.collector.trust.AgentAuthenticator.AuthRefusedException;
import io.vigil.collector.trust.AgentPrincipal;
import io.vigil.collector.trust.AuthRefusal;
import io.vigil.common.metrics.Counter;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates the agent stream by its client certificate and puts the {@link AgentPrincipal} into
 * the call context; a call without a valid certificate is closed with UNAUTHENTICATED and the
 * reason, before the service sees it.
 *
 * <p>Why here and not in the TLS trust manager (which accepts every client chain, see {@link
 * AnyClientCertificate}): a handshake aborted by the trust manager reaches the agent as an opaque
 * TLS alert ("UNAVAILABLE: ssl exception") and the collector as a failed handshake without a
 * certificate to name. Deciding after the handshake, where a gRPC status can carry a description,
 * lets both sides say exactly why (no certificate, foreign CA, expired at T, revoked by whom). TLS
 * has still proved that the peer holds the certificate's key.
 *
 * <p>Every method of the service is authenticated here (Stream, Upload, Probe). For Stream it also
 * takes the stream's slot in {@link AgentStreamSlots} when the call starts, before any message is
 * read: an agent with {@link AgentStreamSlots#MAX_STREAMS_PER_AGENT} streams open gets
 * RESOURCE_EXHAUSTED for the next. The slot is given back when gRPC reports the call over. Refusals
 * are logged through {@link RefusalLog} (escaped, one line per reason every ten seconds).
 */
final class AgentAuthInterceptor implements ServerInterceptor {
  /**
   * The authenticated agent of the current call (set only on every call of the agent service, with
   * TLS).
   */
  static final Context.Key<AgentPrincipal> PRINCIPAL = Context.key("vigil-agent-principal");

  /** The stream's slot for its agent (set with {@link #PRINCIPAL}). */
  static final Context.Key<AgentStreamSlots.Slot> SLOT = Context.key("vigil-agent-stream-slot");

  private static final Logger log = LoggerFactory.getLogger(AgentAuthInterceptor.class);

  private final AgentAuthenticator authenticator;
  private final AgentStreamSlots slots;
  private final Counter tooManyStreams;
  private final RefusalLog refusals = new RefusalLog(log);

  AgentAuthInterceptor(
      AgentAuthenticator authenticator, AgentStreamSlots slots, Counter tooManyStreams) {
    this.authenticator = authenticator;
    this.slots = slots;
    this.tooManyStreams = tooManyStreams;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    AgentPrincipal principal;
    try {
      principal = authenticator.authenticate(PeerCertificates.chain(call.getAttributes()));
    } catch (AuthRefusedException e) {
      AuthRefusal why = e.refusal();
      refusals.warn(why.reason(), "refusing agent stream", peer(call), why.description());
      call.close(Status.UNAUTHENTICATED.withDescription(why.description()), new Metadata());
      return new ServerCall.Listener<>() {};
    } catch (RuntimeException e) {
      // The store could not be read: not the agent's fault, so it retries later.
      log.error("cannot check an agent's certificate: {}", e.toString());
      call.close(
          Status.UNAVAILABLE.withDescription("collector cannot check certificates now"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (!call.getMethodDescriptor().getBareMethodName().equals("Stream")) {
      // Upload and Probe are short calls of their own, bounded elsewhere (FileUploads): they
      // must not take one of the agent's two stream slots, or a probe made while a reconnect
      // is under way would be refused.
      return Contexts.interceptCall(
          Context.current().withValue(PRINCIPAL, principal), call, headers, next);
    }
    AgentStreamSlots.Slot slot = slots.acquire(principal.agentId());
    if (slot == null) {
      String why =
          "too many streams for agent "
              + principal.agentId()
              + " (at most "
              + AgentStreamSlots.MAX_STREAMS_PER_AGENT
              + " at once)";
      tooManyStreams.inc();
      refusals.warn("too_many_streams", "refusing agent stream", peer(call), why);
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(why), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    ServerCall.Listener<Q> listener;
    try {
      listener =
          Contexts.interceptCall(
              Context.current().withValue(PRINCIPAL, principal).withValue(SLOT, slot),
              call,
              headers,
              next);
    } catch (RuntimeException e) {
      slot.release();
      throw e;
    }
    return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
      @Override
      public void onComplete() {
        try {
          super.onComplete();
        } finally {
          slot.release();
        }
      }

      @Override
      public void onCancel() {
        try {
          super.onCancel();
        } finally {
          slot.release();
        }
      }
    };
  }

  private static String peer(ServerCall<?, ?> call) {
    SocketAddress addr = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    return addr == null ? "unknown peer" : addr.toString();
  }
}
