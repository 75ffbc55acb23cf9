package io.vigil.agent.packet.file;

/**
 * Receives each packet of a capture file. The bytes buf[off, off+len) belong to the reader's buffer
 * and are valid only during the call: they are overwritten by the following packets, so a handler
 * that keeps a packet copies it.
 */
@FunctionalInterface
public interface PacketHandler {
  /**
   * One packet.
   *
   * @param linkType the pcap LINKTYPE of the file (pcap) or of the packet's interface (pcapng)
   * @param timestampNs capture time, UTC nanoseconds since the epoch (0 for pcapng simple packet
   *     blocks, which carry none)
   * @param originalLength the packet's length on the wire (at least len)
   */
  void packet(byte[] buf, int off, int len, int linkType, long timestampNs, int originalLength);
}
