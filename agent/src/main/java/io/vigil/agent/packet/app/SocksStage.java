package io.vigil.agent.packet.app;

/**
 * A SOCKS4/4a or SOCKS5 handshake ({@link SocksHandshake}); once it succeeds, the tunnel's bytes
 * are detected afresh. A failed handshake leaves the connection unread.
 */
final class SocksStage implements Stage {
  private final AppAnalyzer analyzer;
  private final Tunnel via;
  private final SocksHandshake handshake;

  SocksStage(AppAnalyzer analyzer, Tunnel via, boolean v5) {
    this.analyzer = analyzer;
    this.via = via;
    this.handshake = new SocksHandshake(v5, analyzer.factory().options().maxHandshakeBytes());
  }

  @Override
  public void data(boolean fromClient, byte[] b, int off, int len, long ts) {
    SocksHandshake.Status s =
        fromClient ? handshake.client(b, off, len) : handshake.server(b, off, len);
    after(s, ts);
  }

  @Override
  public void gap(boolean fromClient, long bytes, long ts) {
    handshake.fail();
    after(SocksHandshake.Status.FAILED, ts);
  }

  @Override
  public void closed(boolean fromClient, long ts) {}

  @Override
  public void end(long ts) {}

  @Override
  public boolean wants(boolean fromClient) {
    return true;
  }

  private void after(SocksHandshake.Status s, long ts) {
    if (s == SocksHandshake.Status.FAILED) {
      analyzer.factory().counters().handshakesFailed++;
      analyzer.replace(Stage.DONE);
    } else if (s == SocksHandshake.Status.TUNNEL) {
      Tunnel t = new Tunnel(handshake.kind(), handshake.host(), handshake.port(), via);
      analyzer.tunnel(t, handshake.clientRest(), 0, handshake.serverRest(), ts);
    }
  }
}
