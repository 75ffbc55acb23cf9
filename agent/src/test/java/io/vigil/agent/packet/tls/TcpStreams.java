package io.vigil.agent.packet.tls;

import io.vigil.agent.packet.IpText;
import io.vigil.agent.packet.decode.DecodedPacket;
import io.vigil.agent.packet.decode.PacketDecoder;
import io.vigil.agent.packet.file.CaptureFileReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Test-only: the TCP connections of a capture file, read with the real capture file reader and
 * packet decoder, each direction's payload put in sequence order. Bytes a direction already had
 * (retransmissions, overlaps) are dropped; a segment that arrives early waits for the gap before it
 * to fill, and is never delivered when the gap stays open. The chunks keep capture order across the
 * two directions, so a test can replay a conversation as it happened. Not a product TCP reassembler
 * (that is another issue's): no bounds, no timeouts, no window checks.
 */
final class TcpStreams {
  private static final int SYN = 0x02;
  private static final int ACK = 0x10;

  /** In-order bytes of one direction, in capture order. */
  record Chunk(boolean fromClient, byte[] data) {}

  /** One connection; the client is the sender of the SYN, or of the first packet without one. */
  static final class Connection {
    final String client;
    final int clientPort;
    final String server;
    final int serverPort;
    final List<Chunk> chunks = new ArrayList<>();
    final Direction fromClient = new Direction();
    final Direction fromServer = new Direction();

    Connection(String client, int clientPort, String server, int serverPort) {
      this.client = client;
      this.clientPort = clientPort;
      this.server = server;
      this.serverPort = serverPort;
    }

    /** Everything the client sent, in order. */
    byte[] clientStream() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      for (Chunk c : chunks) {
        if (c.fromClient()) {
          out.writeBytes(c.data());
        }
      }
      return out.toByteArray();
    }

    @Override
    public String toString() {
      return client + ":" + clientPort + " -> " + server + ":" + serverPort;
    }
  }

  /** Sequence state of one direction. */
  static final class Direction {
    long isn = -1;
    long next;
    final TreeMap<Long, byte[]> early = new TreeMap<>();
    boolean sawData;
  }

  private TcpStreams() {}

  /**
   * The connections of a capture, in the order they started, and why reading stopped early (null
   * when it did not): a capture with a broken record still gives the packets before it, as tshark
   * does.
   */
  record Capture(List<Connection> connections, String readError) {}

  /** Every TCP connection of the capture. */
  static Capture read(Path file) {
    List<Connection> all = new ArrayList<>();
    Map<String, Connection> open = new HashMap<>();
    PacketDecoder decoder = new PacketDecoder();
    DecodedPacket p = new DecodedPacket();
    try {
      new CaptureFileReader()
          .read(
              file,
              (buf, off, len, linkType, ts, orig) -> {
                if (!decoder.decode(buf, off, len, linkType, ts, orig, p)
                    || p.protocol != 6
                    || p.fragment) {
                  return;
                }
                String src = IpText.of(p.src, 0, p.addressLength());
                String dst = IpText.of(p.dst, 0, p.addressLength());
                String a = src + "|" + p.srcPort;
                String b = dst + "|" + p.dstPort;
                String key = a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
                boolean syn = (p.tcpFlags & SYN) != 0 && (p.tcpFlags & ACK) == 0;
                Connection c = open.get(key);
                if (c == null || (syn && started(c))) {
                  c = new Connection(src, p.srcPort, dst, p.dstPort);
                  open.put(key, c);
                  all.add(c);
                }
                boolean fromClient = src.equals(c.client) && p.srcPort == c.clientPort;
                segment(c, fromClient, p);
              });
    } catch (IOException e) {
      return new Capture(all, e.getMessage());
    }
    return new Capture(all, null);
  }

  private static boolean started(Connection c) {
    return c.fromClient.sawData || c.fromServer.sawData;
  }

  private static void segment(Connection c, boolean fromClient, DecodedPacket p) {
    Direction d = fromClient ? c.fromClient : c.fromServer;
    long seq = p.tcpSeq;
    if ((p.tcpFlags & SYN) != 0) {
      d.isn = seq;
      d.next = 1; // the SYN takes one sequence number
      seq += 1;
    }
    if (p.payloadLength == 0) {
      return;
    }
    if (d.isn < 0) {
      d.isn = seq;
      d.next = 0;
    }
    d.sawData = true;
    long rel = (seq - d.isn) & 0xffffffffL;
    byte[] data = new byte[p.payloadLength];
    System.arraycopy(p.payload, p.payloadOffset, data, 0, data.length);
    d.early.merge(rel, data, (x, y) -> x.length >= y.length ? x : y);
    while (!d.early.isEmpty() && d.early.firstKey() <= d.next) {
      Map.Entry<Long, byte[]> e = d.early.pollFirstEntry();
      long end = e.getKey() + e.getValue().length;
      if (end > d.next) {
        int skip = (int) (d.next - e.getKey());
        byte[] fresh = new byte[(int) (end - d.next)];
        System.arraycopy(e.getValue(), skip, fresh, 0, fresh.length);
        c.chunks.add(new Chunk(fromClient, fresh));
        d.next = end;
      }
    }
  }
}
