package io.vigil.agent.packet.app;

import io.vigil.agent.packet.stream.Direction;
import io.vigil.agent.packet.stream.StreamAnalyzer;
import io.vigil.agent.packet.stream.StreamEnd;
import io.vigil.agent.packet.stream.TcpConnection;

/**
 * Routes one connection's reassembled bytes: first to detection; once the first bytes tell the
 * protocol, to the HTTP parser, the TLS consumer, or a SOCKS handshake; after a SOCKS or CONNECT
 * handshake, detection starts again on the tunnelled bytes (so TLS inside a proxy tunnel is found,
 * with the tunnel's target kept). Whatever no stage wants more of is no longer delivered (the
 * reassembler is told through {@link #data}'s result). Calls come from the connection table's
 * thread, in the order {@link io.vigil.agent.packet.stream.StreamSink} gives.
 */
public final class AppAnalyzer implements StreamAnalyzer {
  private final TcpConnection connection;
  private final AppAnalyzerFactory factory;
  private Stage stage;

  AppAnalyzer(TcpConnection connection, AppAnalyzerFactory factory) {
    this.connection = connection;
    this.factory = factory;
    this.stage = new DetectStage(this, null);
  }

  @Override
  public boolean data(Direction d, byte[] buf, int off, int len, long ts) {
    boolean c = d.fromClient();
    stage.data(c, buf, off, len, ts);
    return stage.wants(c);
  }

  @Override
  public void gap(Direction d, long bytes, long ts) {
    stage.gap(d.fromClient(), bytes, ts);
  }

  @Override
  public void closed(Direction d, long ts) {
    stage.closed(d.fromClient(), ts);
  }

  @Override
  public void end(StreamEnd reason, long ts) {
    stage.end(ts);
    stage = Stage.DONE;
  }

  TcpConnection connection() {
    return connection;
  }

  AppAnalyzerFactory factory() {
    return factory;
  }

  Stage stage() {
    return stage;
  }

  void replace(Stage next) {
    stage = next;
  }

  /** Classifies a layer: the listener hears it, the counters count it. */
  void detected(AppProtocol p, Tunnel via, long ts) {
    AppCounters c = factory.counters();
    (via == null ? c.detected : c.detectedInTunnel)[p.ordinal()]++;
    factory.listener().detected(connection, p, via, ts);
  }

  /**
   * A tunnel was established: detection starts on its bytes, beginning with what each side already
   * sent through it ({@code clientDropped} client bytes lost after those).
   */
  void tunnel(Tunnel t, byte[] clientRest, long clientDropped, byte[] serverRest, long ts) {
    AppCounters c = factory.counters();
    c.tunnels[t.kind().ordinal()]++;
    factory.listener().tunnel(connection, t, ts);
    if (t.depth() > factory.options().maxTunnelDepth()) {
      c.tunnelsTooDeep++;
      detected(AppProtocol.UNKNOWN, t, ts);
      replace(Stage.DONE);
      return;
    }
    Stage next = new DetectStage(this, t);
    replace(next);
    if (clientRest.length > 0) {
      stage.data(true, clientRest, 0, clientRest.length, ts);
    }
    if (clientDropped > 0) {
      stage.gap(true, clientDropped, ts);
    }
    if (serverRest.length > 0) {
      stage.data(false, serverRest, 0, serverRest.length, ts);
    }
  }
}
