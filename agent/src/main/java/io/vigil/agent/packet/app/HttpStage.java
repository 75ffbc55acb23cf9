package io.vigil.agent.packet.app;

import io.vigil.agent.packet.http.HttpListener;
import io.vigil.agent.packet.http.HttpParser;
import io.vigil.agent.packet.http.HttpTransaction;
import io.vigil.agent.packet.http.HttpTunnel;

/**
 * HTTP/1.x: the bytes go to an {@link HttpParser}; its transactions go to the listener with the
 * tunnel they ran in; a CONNECT answered 2xx opens a tunnel whose bytes are detected afresh.
 */
final class HttpStage implements Stage, HttpListener {
  private final AppAnalyzer analyzer;
  private final Tunnel via;
  private final HttpParser parser;

  HttpStage(AppAnalyzer analyzer, Tunnel via) {
    this.analyzer = analyzer;
    this.via = via;
    AppAnalyzerFactory f = analyzer.factory();
    this.parser = new HttpParser(this, f.options().http(), f.httpCounters(), f.memory());
  }

  @Override
  public void data(boolean fromClient, byte[] b, int off, int len, long ts) {
    if (fromClient) {
      parser.client(b, off, len, ts);
    } else {
      parser.server(b, off, len, ts);
    }
  }

  @Override
  public void gap(boolean fromClient, long bytes, long ts) {
    parser.gap(fromClient, bytes, ts);
  }

  @Override
  public void closed(boolean fromClient, long ts) {
    parser.closed(fromClient, ts);
  }

  @Override
  public void end(long ts) {
    parser.end(ts);
  }

  @Override
  public boolean wants(boolean fromClient) {
    return fromClient ? parser.wantsClient() : parser.wantsServer();
  }

  @Override
  public void transaction(HttpTransaction t) {
    analyzer.factory().listener().http(analyzer.connection(), via, t);
  }

  @Override
  public void tunnel(HttpTunnel t) {
    long ts = t.connect().response().endNs();
    Tunnel tunnel = new Tunnel(Tunnel.Kind.HTTP_CONNECT, t.host(), t.port(), via);
    parser.end(ts); // nothing is pending after an answered CONNECT; this only closes the parser
    analyzer.tunnel(tunnel, t.clientBytes(), t.clientDropped(), t.serverBytes(), ts);
  }
}
