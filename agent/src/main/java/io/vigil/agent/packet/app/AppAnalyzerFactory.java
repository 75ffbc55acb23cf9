package io.vigil.agent.packet.app;

import io.vigil.agent.packet.http.HttpCounters;
import io.vigil.agent.packet.http.HttpStats;
import io.vigil.agent.packet.stream.ReassemblyBudget;
import io.vigil.agent.packet.stream.StreamAnalyzer;
import io.vigil.agent.packet.stream.StreamAnalyzerFactory;
import io.vigil.agent.packet.stream.TcpConnection;

/**
 * Makes an {@link AppAnalyzer} for every connection of a {@link
 * io.vigil.agent.packet.stream.TcpStreams} table, sharing the listener, the TLS consumer factory,
 * the bounds and the counters. Used on the table's one thread only.
 */
public final class AppAnalyzerFactory implements StreamAnalyzerFactory {
  private final AppListener listener;
  private final TlsConsumer.Factory tls;
  private final AppOptions options;
  private final AppCounters counters = new AppCounters();
  private final HttpCounters httpCounters = new HttpCounters();
  private final ReassemblyBudget memory;

  /**
   * @param tls makes the consumer of each TLS stream (direct or tunnelled); null when TLS is only
   *     to be detected and counted
   */
  public AppAnalyzerFactory(AppListener listener, TlsConsumer.Factory tls, AppOptions options) {
    this(listener, tls, options, new ReassemblyBudget(options.maxAnalyzerMemory()));
  }

  /**
   * @param memory what the analyzers hold is charged to it (thread-safe: factories of several
   *     capture threads may share one); {@link AppOptions#maxAnalyzerMemory} is then not used
   */
  public AppAnalyzerFactory(
      AppListener listener, TlsConsumer.Factory tls, AppOptions options, ReassemblyBudget memory) {
    this.listener = listener;
    this.tls = tls;
    this.options = options;
    this.memory = memory;
  }

  /** The analyzers' memory budget: {@link ReassemblyBudget#used} and its refusals. */
  public ReassemblyBudget memory() {
    return memory;
  }

  @Override
  public StreamAnalyzer create(TcpConnection connection) {
    counters.connections++;
    return new AppAnalyzer(connection, this);
  }

  /** Detection and tunnel counters now. */
  public AppStats stats() {
    return counters.snapshot();
  }

  /** HTTP parsing counters now, over every connection. */
  public HttpStats httpStats() {
    return httpCounters.snapshot();
  }

  AppListener listener() {
    return listener;
  }

  TlsConsumer.Factory tls() {
    return tls;
  }

  AppOptions options() {
    return options;
  }

  AppCounters counters() {
    return counters;
  }

  HttpCounters httpCounters() {
    return httpCounters;
  }
}
