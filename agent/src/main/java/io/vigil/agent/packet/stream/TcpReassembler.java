package io.vigil.agent.packet.stream;

/**
 * Reassembles both directions of one TCP connection into in-order byte streams for a {@link
 * StreamSink}.
 *
 * <p><b>Sequence space.</b> A direction's stream starts at its SYN's sequence number plus one, or,
 * when its SYN was not seen (mid-stream pickup), at the first segment with data (a bare ACK or FIN
 * does not start it; such a FIN is reported as {@code closed} when the connection ends). A later
 * SYN is a retransmission, unless it has another initial sequence number and the direction
 * delivered nothing yet: then the direction starts over from it (a handshake completing after
 * forged or stale segments, as a stack would take it). Wraparound at 2^32 is handled: offsets are
 * 64-bit, placed by their signed distance from the next expected byte.
 *
 * <p><b>Out of order, overlaps.</b> Bytes already delivered are dropped (counted as retransmitted:
 * they are not kept, so not compared). Bytes ahead of a hole are buffered until it fills; where a
 * segment overlaps buffered bytes the bytes seen first are kept, and the overlap is counted as same
 * or different. Bytes after a direction's FIN are dropped.
 *
 * <p><b>Bounds.</b> A direction holds at most {@link StreamOptions#maxBufferedPerDirection} out of
 * order, and every reassembler sharing a {@link ReassemblyBudget} at most its capacity together;
 * when either refuses, the first hole is skipped (reported as a gap), what follows it delivered,
 * and the segment tried again. {@link #flush} skips every hole still open the same way. A direction
 * delivers at most {@link StreamOptions#depth} bytes (from its start, gaps included), or stops
 * earlier when its sink returns false; after that its segments cost a counter and a comparison.
 *
 * <p>Not thread-safe: one thread feeds it and receives the sink's calls.
 */
public final class TcpReassembler {
  private static final int FIN = 0x01;
  private static final int SYN = 0x02;

  private final StreamCounters counters;
  private final StreamDirection toServer;
  private final StreamDirection toClient;

  /**
   * @param options only {@code maxBufferedPerDirection} and {@code depth} are used here
   * @param counters where this reassembler counts (may be shared with others on the same thread)
   */
  public TcpReassembler(
      StreamSink sink, StreamOptions options, ReassemblyBudget budget, StreamCounters counters) {
    this.counters = counters;
    int max = options.maxBufferedPerDirection();
    long depth = options.depth();
    toServer = new StreamDirection(Direction.CLIENT_TO_SERVER, sink, counters, budget, max, depth);
    toClient = new StreamDirection(Direction.SERVER_TO_CLIENT, sink, counters, budget, max, depth);
  }

  /**
   * One TCP segment.
   *
   * @param seq the sequence number (the low 32 bits are used)
   * @param tcpFlags the TCP flags byte: SYN (0x02) and FIN (0x01) are used here, RST is the
   *     caller's
   * @param payload the segment's payload {@code payload[off, off+len)}, read during the call only
   * @param timestampNs the packet's time, passed to the sink for the bytes it makes deliverable
   * @return true when the segment carried bytes not seen before (delivered now or buffered)
   */
  public boolean segment(
      Direction direction,
      long seq,
      int tcpFlags,
      byte[] payload,
      int off,
      int len,
      long timestampNs) {
    counters.segments++;
    return dir(direction)
        .segment(
            (int) seq,
            (tcpFlags & SYN) != 0,
            (tcpFlags & FIN) != 0,
            payload,
            off,
            len,
            timestampNs);
  }

  /**
   * Delivers everything buffered, each hole before it reported as a gap, then a gap up to a FIN
   * that was seen past the last byte and the FIN itself: call it when the connection ends.
   */
  public void flush(long timestampNs) {
    toServer.flush(timestampNs);
    toClient.flush(timestampNs);
  }

  /** Stops {@code direction}: nothing more is buffered or delivered, its buffer is freed. */
  public void stop(Direction direction) {
    dir(direction).stopByCaller();
  }

  /** Frees both directions' buffers without delivering them (the budget gets them back). */
  public void discard() {
    toServer.stop();
    toClient.stop();
  }

  /** True once {@code direction} has seen a segment. */
  public boolean started(Direction direction) {
    return dir(direction).started();
  }

  /**
   * The sequence number of {@code direction}'s first data byte (its SYN's plus one, or its first
   * segment's), unsigned; meaningful once {@link #started}.
   */
  public long firstSequence(Direction direction) {
    return dir(direction).base() & 0xFFFFFFFFL;
  }

  /** A FIN was seen in {@code direction} (whether or not every byte before it was). */
  public boolean finSeen(Direction direction) {
    return dir(direction).finSeen();
  }

  /** {@code direction} reached its FIN in order and reported it. */
  public boolean closed(Direction direction) {
    return dir(direction).closed();
  }

  /** {@code direction} delivers nothing more: its depth was reached or its sink stopped it. */
  public boolean stopped(Direction direction) {
    return dir(direction).stopped();
  }

  /** Bytes (as the budget charges them) held out of order by both directions now. */
  public long buffered() {
    return toServer.bufferedCost() + toClient.bufferedCost();
  }

  private StreamDirection dir(Direction d) {
    return d == Direction.CLIENT_TO_SERVER ? toServer : toClient;
  }
}
