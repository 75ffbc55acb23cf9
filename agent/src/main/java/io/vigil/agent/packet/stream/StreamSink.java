package io.vigil.agent.packet.stream;

/**
 * Receives the reassembled byte streams of one TCP connection, each direction in sequence order.
 * For one direction the calls come in stream order: {@code data} and {@code gap} describe
 * consecutive, non-overlapping byte ranges, and {@code closed}, if it comes, is the last call for
 * that direction. The two directions interleave in the order their packets arrived (a byte buffered
 * out of order is delivered when the packet filling the hole before it arrives). Calls come on the
 * thread that feeds the reassembler.
 */
public interface StreamSink {
  /**
   * The next in-order bytes {@code buf[off, off+len)} of {@code direction}; {@code len > 0}. The
   * array is the packet's or the reassembler's and is valid only during the call: a sink that keeps
   * bytes copies them.
   *
   * @param timestampNs the time of the packet that made these bytes deliverable
   * @return false when this direction needs no more bytes: the reassembler then stops buffering and
   *     delivering it (nothing more is called for it, {@code closed} included), at no further cost
   */
  boolean data(Direction direction, byte[] buf, int off, int len, long timestampNs);

  /**
   * {@code bytes > 0} bytes of {@code direction} were never seen (lost in capture, or skipped
   * because a bound was hit or the connection ended with a hole): the stream goes on after them.
   */
  void gap(Direction direction, long bytes, long timestampNs);

  /** {@code direction} ended with a FIN after its last byte: nothing more comes that way. */
  void closed(Direction direction, long timestampNs);
}
