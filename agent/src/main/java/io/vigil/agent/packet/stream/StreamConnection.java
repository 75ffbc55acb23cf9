package io.vigil.agent.packet.stream;

/**
 * One connection of a {@link TcpStreams} table: its key, reassembler and analyzer, and its place on
 * the table's timeout lists. It is the reassembler's sink and creates the analyzer when the first
 * payload (or gap) arrives, so connections without payload never make one.
 */
final class StreamConnection implements StreamSink {
  static final int OPEN = 0; // on the idle list
  static final int CLOSING = 1; // both FINs (or a RST) seen: waiting out the linger
  static final int DONE = 2; // ended; remembered through the linger to ignore late packets

  final ConnKey key;
  final boolean clientIsA;
  final long startNs;
  final boolean midStream;
  private final StreamAnalyzerFactory factory;
  private final StreamCounters counters;
  TcpReassembler reassembler;
  private StreamAnalyzer analyzer;
  private boolean asked;

  int state = OPEN;
  boolean carried; // a packet with payload was seen (either direction, before a RST or not)
  boolean reset; // a RST was seen and nothing new came since: ends as RST after the linger
  long lastNs; // the last packet's time, for end timestamps
  long touchNs; // the table clock at the last packet: orders the timeout lists
  int listed = -1; // the list it is on, -1 when none
  StreamConnection prev;
  StreamConnection next;

  StreamConnection(
      ConnKey key,
      boolean clientIsA,
      long startNs,
      boolean midStream,
      StreamAnalyzerFactory factory,
      StreamOptions options,
      ReassemblyBudget budget,
      StreamCounters counters) {
    this.key = key;
    this.clientIsA = clientIsA;
    this.startNs = startNs;
    this.midStream = midStream;
    this.factory = factory;
    this.counters = counters;
    this.reassembler = new TcpReassembler(this, options, budget, counters);
  }

  TcpConnection describe() {
    return new TcpConnection(
        key.ipVersion,
        key.vlanId,
        key.address(clientIsA),
        clientIsA ? key.portA : key.portB,
        key.address(!clientIsA),
        clientIsA ? key.portB : key.portA,
        startNs,
        midStream);
  }

  /** The analyzer, made on first use; null when the factory declined (both directions stopped). */
  private StreamAnalyzer analyzer() {
    if (!asked) {
      asked = true;
      try {
        analyzer = factory.create(describe());
      } catch (RuntimeException e) {
        failed();
        return null;
      }
      if (analyzer == null) {
        reassembler.stop(Direction.CLIENT_TO_SERVER);
        reassembler.stop(Direction.SERVER_TO_CLIENT);
      }
    }
    return analyzer;
  }

  /**
   * The analyzer threw (a bug, perhaps one hostile bytes found): it is dropped and counted, and the
   * connection delivers nothing more, so that one analyzer's bug never stops the capture thread.
   * Its end is not called: its state is not to be trusted.
   */
  private void failed() {
    counters.analyzerErrors++;
    analyzer = null;
    if (reassembler != null) {
      reassembler.stop(Direction.CLIENT_TO_SERVER);
      reassembler.stop(Direction.SERVER_TO_CLIENT);
    }
  }

  @Override
  public boolean data(Direction d, byte[] buf, int off, int len, long ts) {
    StreamAnalyzer a = analyzer();
    if (a == null) {
      return false;
    }
    try {
      return a.data(d, buf, off, len, ts);
    } catch (RuntimeException e) {
      failed();
      return false;
    }
  }

  @Override
  public void gap(Direction d, long bytes, long ts) {
    StreamAnalyzer a = analyzer();
    if (a != null) {
      try {
        a.gap(d, bytes, ts);
      } catch (RuntimeException e) {
        failed();
      }
    }
  }

  @Override
  public void closed(Direction d, long ts) {
    if (analyzer != null) {
      try {
        analyzer.closed(d, ts);
      } catch (RuntimeException e) {
        failed();
      }
    }
  }

  /**
   * Flushes the streams, ends the analyzer and drops both (the key stays for the linger). The
   * reassembler's buffers (and their budget reservation) are released whatever the analyzer does.
   */
  void end(StreamEnd reason) {
    try {
      reassembler.flush(lastNs);
      if (analyzer != null) {
        try {
          analyzer.end(reason, lastNs);
        } catch (RuntimeException e) {
          failed();
        }
      }
    } finally {
      reassembler.discard();
      reassembler = null;
      analyzer = null;
      state = DONE;
    }
  }
}
