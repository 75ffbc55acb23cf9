package io.vigil.collector.stream;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.SocketAddress;

/** Puts the caller's address into the call context, for log lines about that stream. */
final class PeerInterceptor implements ServerInterceptor {
  static final Context.Key<String> PEER = Context.keyWithDefault("vigil-peer", "unknown peer");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    SocketAddress addr = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
    String peer = addr == null ? "unknown peer" : addr.toString();
    return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
  }
}
