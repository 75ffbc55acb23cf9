package io.vigil.testkit;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A DNS server over UDP for tests, on a thread of its own: answers an A question for a name it
 * knows with that name's IPv4 address (TTL 300), any other question for a known name with no
 * records (NOERROR), and unknown names with NXDOMAIN. Enough for glibc's resolver, {@code dig} and
 * the agent's parser to meet a real exchange on the wire. Thread-safe; {@link #close} stops it.
 */
public final class DnsResponder implements AutoCloseable {
  private static final int TYPE_A = 1;
  private static final int CLASS_IN = 1;
  private static final int TTL = 300;

  private final DatagramSocket socket;
  private final Map<String, InetAddress> names;
  private final AtomicInteger questions = new AtomicInteger();
  private final Thread thread;

  private DnsResponder(DatagramSocket socket, Map<String, InetAddress> names) {
    this.socket = socket;
    this.names = Map.copyOf(names);
    this.thread = new Thread(this::serve, "dns-responder");
    this.thread.setDaemon(true);
  }

  /**
   * Listens on {@code address}:53 for the {@code names} (lower case, no trailing dot).
   *
   * @throws SocketException when the port cannot be bound (not root, in use)
   */
  public static DnsResponder start(String address, Map<String, InetAddress> names)
      throws IOException {
    DatagramSocket s =
        new DatagramSocket(new InetSocketAddress(InetAddress.getByName(address), 53));
    DnsResponder r = new DnsResponder(s, names);
    r.thread.start();
    return r;
  }

  /** Questions answered so far. */
  public int questions() {
    return questions.get();
  }

  private void serve() {
    byte[] buf = new byte[1500];
    while (!socket.isClosed()) {
      DatagramPacket in = new DatagramPacket(buf, buf.length);
      try {
        socket.receive(in);
        byte[] reply = answer(buf, in.getLength());
        if (reply != null) {
          socket.send(new DatagramPacket(reply, reply.length, in.getSocketAddress()));
          questions.incrementAndGet();
        }
      } catch (IOException e) {
        if (socket.isClosed()) {
          return;
        }
      }
    }
  }

  /** The reply to one query, or null when it is not a single well-formed question. */
  private byte[] answer(byte[] q, int len) {
    if (len < 12 || (q[2] & 0x80) != 0 || u16(q, 4) != 1) {
      return null;
    }
    StringBuilder name = new StringBuilder();
    int p = 12;
    while (p < len && q[p] != 0) {
      int l = q[p] & 0xff;
      if (l > 63 || p + 1 + l >= len) {
        return null;
      }
      if (name.length() > 0) {
        name.append('.');
      }
      name.append(new String(q, p + 1, l, java.nio.charset.StandardCharsets.US_ASCII));
      p += 1 + l;
    }
    int qEnd = p + 5; // root label, type, class
    if (qEnd > len) {
      return null;
    }
    int type = u16(q, p + 1);
    InetAddress ip = names.get(name.toString().toLowerCase(Locale.ROOT));
    boolean known = names.containsKey(name.toString().toLowerCase(Locale.ROOT));
    boolean withAnswer = known && type == TYPE_A && ip.getAddress().length == 4;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(q[0]);
    out.write(q[1]);
    out.write(0x84 | (q[2] & 0x01)); // response, authoritative, RD copied
    out.write(0x80 | (known ? 0 : 3)); // RA, NOERROR or NXDOMAIN
    writeU16(out, 1);
    writeU16(out, withAnswer ? 1 : 0);
    writeU16(out, 0);
    writeU16(out, 0);
    out.write(q, 12, qEnd - 12);
    if (withAnswer) {
      writeU16(out, 0xc00c); // the question's name
      writeU16(out, TYPE_A);
      writeU16(out, CLASS_IN);
      writeU16(out, TTL >>> 16);
      writeU16(out, TTL & 0xffff);
      writeU16(out, 4);
      out.write(ip.getAddress(), 0, 4);
    }
    return out.toByteArray();
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
  }

  private static void writeU16(ByteArrayOutputStream out, int v) {
    out.write(v >>> 8);
    out.write(v);
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(5000);
  }
}
