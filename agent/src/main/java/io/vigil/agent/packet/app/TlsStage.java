package io.vigil.agent.packet.app;

/** TLS: the bytes go to the pluggable {@link TlsConsumer}, or nowhere when there is none. */
final class TlsStage implements Stage {
  private final TlsConsumer consumer;

  private TlsStage(TlsConsumer consumer) {
    this.consumer = consumer;
  }

  static Stage of(AppAnalyzer analyzer, Tunnel via) {
    TlsConsumer.Factory f = analyzer.factory().tls();
    TlsConsumer c = f == null ? null : f.create(analyzer.connection(), via);
    if (c == null) {
      analyzer.factory().counters().tlsWithoutConsumer++;
      return Stage.DONE;
    }
    return new TlsStage(c);
  }

  @Override
  public void data(boolean fromClient, byte[] b, int off, int len, long ts) {
    if (fromClient) {
      consumer.client(b, off, len, ts);
    } else {
      consumer.server(b, off, len, ts);
    }
  }

  @Override
  public void gap(boolean fromClient, long bytes, long ts) {
    consumer.gap(fromClient, bytes, ts);
  }

  @Override
  public void closed(boolean fromClient, long ts) {}

  @Override
  public void end(long ts) {
    consumer.end(ts);
  }

  @Override
  public boolean wants(boolean fromClient) {
    return consumer.wantsMore(fromClient);
  }
}
