package io.vigil.agent.packet.stream;

/**
 * Analyses one TCP connection's reassembled streams (see {@link StreamSink} for the order of
 * calls). {@link #end} is the last call: after it the analyzer is dropped, so it emits whatever it
 * still holds (requests never answered, a body that ran to the connection's end).
 */
public interface StreamAnalyzer extends StreamSink {
  /**
   * The connection is over; every byte that will ever be delivered was (holes still outstanding
   * were reported as gaps just before).
   *
   * @param timestampNs the time of the connection's last packet
   */
  void end(StreamEnd reason, long timestampNs);
}
