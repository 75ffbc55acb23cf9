package io.vigil.collector.api;

import com.google.protobuf.Message;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.grpc.StatusException;
import java.net.SocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Authenticates every operator API call and checks its role before the service sees it; logs each
 * call with the operator's name when it ends (changes at INFO, reads at DEBUG, refusals at WARN) on
 * the logger {@code io.vigil.collector.api.calls}. A denied call of an audited method is audited
 * with its request, so the audit log shows what was attempted. Thread-safe.
 */
final class AuthInterceptor implements ServerInterceptor {
  /** The logger of operator API calls (one line per call). */
  static final Logger calls = LoggerFactory.getLogger("io.vigil.collector.api.calls");

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final TokenAuthenticator authenticator;
  private final AuditTrail audit;

  AuthInterceptor(TokenAuthenticator authenticator, AuditTrail audit) {
    this.authenticator = authenticator;
    this.audit = audit;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String method = call.getMethodDescriptor().getBareMethodName();
    SocketAddress addr = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String peer = addr == null ? "unknown peer" : addr.toString();
    Principal p;
    try {
      p = authenticator.authenticate(headers.get(AUTHORIZATION));
    } catch (StatusException e) {
      calls.warn(
          "refused {} from {}: {} {}",
          method,
          peer,
          e.getStatus().getCode(),
          e.getStatus().getDescription());
      call.close(e.getStatus(), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    OperatorRole needed = MethodRoles.required(method);
    if (!p.role().includes(needed)) {
      String why =
          "operator "
              + p.operator()
              + " ("
              + p.role().text()
              + ") may not call "
              + method
              + ": needs "
              + needed.text();
      calls.warn("denied {} to {} from {}: {}", method, p, peer, why);
      Status denied = Status.PERMISSION_DENIED.withDescription(why);
      if (!MethodRoles.AUDITED.contains(method)) {
        call.close(denied, new Metadata());
        return new ServerCall.Listener<>() {};
      }
      return new DeniedListener<>(call, denied, p, method, why);
    }
    ServerCall<Q, R> logged =
        new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            if (!status.isOk()) {
              calls.info(
                  "{} {} from {}: {} {}",
                  p,
                  method,
                  peer,
                  status.getCode(),
                  status.getDescription());
            } else if (MethodRoles.CHANGES.contains(method)) {
              calls.info("{} {} from {}: OK", p, method, peer);
            } else {
              calls.debug("{} {} from {}: OK", p, method, peer);
            }
            super.close(status, trailers);
          }
        };
    return Contexts.interceptCall(
        Context.current().withValue(Principal.KEY, p), logged, headers, next);
  }

  /** Reads the request of a denied audited call, audits it, then closes the call denied. */
  private final class DeniedListener<Q, R> extends ServerCall.Listener<Q> {
    private final ServerCall<Q, R> call;
    private final Status denied;
    private final Principal p;
    private final String method;
    private final String why;
    private boolean closed;

    DeniedListener(ServerCall<Q, R> call, Status denied, Principal p, String method, String why) {
      this.call = call;
      this.denied = denied;
      this.p = p;
      this.method = method;
      this.why = why;
      call.request(1);
    }

    @Override
    public void onMessage(Q message) {
      deny(message instanceof Message m ? m : null);
    }

    @Override
    public void onHalfClose() {
      deny(null);
    }

    private void deny(Message request) {
      if (closed) {
        return;
      }
      closed = true;
      audit.denied(p, method, request, why);
      call.close(denied, new Metadata());
    }
  }
}
