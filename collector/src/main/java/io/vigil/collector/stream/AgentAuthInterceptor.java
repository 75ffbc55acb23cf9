package io.vigil.collector.stream;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.vigil.collector.trust.AgentAuthenticator;
import io.vigil.collector.trust.AgentAuthenticator.AuthRefusedException;
import io.vigil.collector.trust.AgentPrincipal;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
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
 */
final class AgentAuthInterceptor implements ServerInterceptor {
  /** The authenticated agent of the current call (set only on the agent stream, with TLS). */
  static final Context.Key<AgentPrincipal> PRINCIPAL = Context.key("vigil-agent-principal");

  private static final Logger log = LoggerFactory.getLogger(AgentAuthInterceptor.class);

  private final AgentAuthenticator authenticator;

  AgentAuthInterceptor(AgentAuthenticator authenticator) {
    this.authenticator = authenticator;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    AgentPrincipal principal;
    try {
      principal = authenticator.authenticate(peerChain(call));
    } catch (AuthRefusedException e) {
      SocketAddress addr = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
      log.warn(
          "refusing agent stream from {}: {}",
          addr == null ? "unknown peer" : addr,
          e.getMessage());
      call.close(Status.UNAUTHENTICATED.withDescription(e.getMessage()), new Metadata());
      return new ServerCall.Listener<>() {};
    } catch (RuntimeException e) {
      // The store could not be read: not the agent's fault, so it retries later.
      log.error("cannot check an agent's certificate: {}", e.toString());
      call.close(
          Status.UNAVAILABLE.withDescription("collector cannot check certificates now"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return Contexts.interceptCall(
        Context.current().withValue(PRINCIPAL, principal), call, headers, next);
  }

  /** The peer's certificate chain, leaf first; null when it sent none (or there is no TLS). */
  private static X509Certificate[] peerChain(ServerCall<?, ?> call) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    if (session == null) {
      return null;
    }
    try {
      Certificate[] certs = session.getPeerCertificates();
      X509Certificate[] out = new X509Certificate[certs.length];
      for (int i = 0; i < certs.length; i++) {
        if (!(certs[i] instanceof X509Certificate x)) {
          return null;
        }
        out[i] = x;
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return null;
    }
  }
}
