package io.vigil.agent.packet.flow;

import io.vigil.agent.packet.decode.DecodedPacket;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;

/**
 * Flow table throughput: packets/s through {@link FlowTable#add} on one thread, on a synthetic
 * interleaved stream (default 10,000 concurrent flows of 100 packets: 70 % TCP with handshake, data
 * and FIN both ways, 25 % UDP, 5 % ICMP echo; a fifth IPv6). Each packet is written into one reused
 * {@link DecodedPacket} as the decoder would, and that fill is part of the measured time. Prints
 * per iteration packets/s by wall time and bytes allocated per packet, then the median.
 *
 * <pre>
 * mvn -B -o -q -pl agent -am test-compile dependency:build-classpath \
 *     -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * taskset -c 0 java -Xms1g -Xmx1g -XX:+UseSerialGC \
 *     -cp agent/target/test-classes:agent/target/classes:$(cat agent/target/bench.classpath) \
 *     io.vigil.agent.packet.flow.FlowTableBench [FLOWS] [PACKETS_PER_FLOW] [ITERATIONS] [MAX_FLOWS]
 * </pre>
 */
public final class FlowTableBench {
  private FlowTableBench() {}

  public static void main(String[] args) {
    int flows = args.length > 0 ? Integer.parseInt(args[0]) : 10_000;
    int perFlow = args.length > 1 ? Integer.parseInt(args[1]) : 100;
    int iterations = args.length > 2 ? Integer.parseInt(args[2]) : 15;
    int maxFlows = args.length > 3 ? Integer.parseInt(args[3]) : 65_536;

    Random rnd = new Random(7);
    byte[][] client = new byte[flows][];
    byte[][] server = new byte[flows][];
    int[] proto = new int[flows];
    int[] cport = new int[flows];
    int[] sport = new int[flows];
    for (int f = 0; f < flows; f++) {
      boolean v6 = rnd.nextInt(5) == 0;
      client[f] = new byte[v6 ? 16 : 4];
      server[f] = new byte[v6 ? 16 : 4];
      rnd.nextBytes(client[f]);
      rnd.nextBytes(server[f]);
      int kind = rnd.nextInt(100);
      proto[f] = kind < 70 ? 6 : kind < 95 ? 17 : v6 ? 58 : 1;
      cport[f] = 1024 + rnd.nextInt(60_000);
      sport[f] = new int[] {80, 443, 53, 22, 8080}[rnd.nextInt(5)];
    }
    // Packet k of a flow: direction and TCP flags of a plain connection.
    boolean[] toServer = new boolean[perFlow];
    int[] flags = new int[perFlow];
    for (int k = 0; k < perFlow; k++) {
      toServer[k] = k == 0 || k == 2 || (k != 1 && rnd.nextBoolean());
      flags[k] = k == 0 ? 0x02 : k == 1 ? 0x12 : k >= perFlow - 3 && k < perFlow - 1 ? 0x11 : 0x18;
    }
    toServer[perFlow - 3] = true;
    toServer[perFlow - 2] = false;

    DecodedPacket p = new DecodedPacket();
    long[] emitted = new long[1];
    FlowSink sink = r -> emitted[0] += r.packetsToServer() + r.packetsToClient();
    com.sun.management.ThreadMXBean mx =
        (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long thread = Thread.currentThread().getId();
    long packets = (long) flows * perFlow;
    double[] rates = new double[iterations];
    long clock = 1_700_000_000_000_000_000L;
    System.out.printf(
        "flows %d, packets/flow %d, packets/iteration %d, maxFlows %d, java %s%n",
        flows, perFlow, packets, maxFlows, System.getProperty("java.version"));
    for (int it = 0; it < iterations; it++) {
      FlowTable table = new FlowTable(FlowOptions.defaults().withMaxFlows(maxFlows));
      long alloc0 = mx.getThreadAllocatedBytes(thread);
      long t0 = System.nanoTime();
      for (int k = 0; k < perFlow; k++) {
        for (int f = 0; f < flows; f++) {
          boolean up = toServer[k];
          byte[] s = up ? client[f] : server[f];
          byte[] d = up ? server[f] : client[f];
          p.timestampNs = clock += 1_000;
          p.ipVersion = s.length == 4 ? 4 : 6;
          System.arraycopy(s, 0, p.src, 0, s.length);
          System.arraycopy(d, 0, p.dst, 0, d.length);
          p.protocol = proto[f];
          p.ipLength = 52 + (k * 37 + f) % 1400;
          if (proto[f] == 6 || proto[f] == 17) {
            p.srcPort = up ? cport[f] : sport[f];
            p.dstPort = up ? sport[f] : cport[f];
            p.tcpFlags = proto[f] == 6 ? flags[k] : 0;
            p.icmpType = -1;
            p.icmpCode = -1;
          } else {
            p.srcPort = 0;
            p.dstPort = 0;
            p.tcpFlags = 0;
            p.icmpType = proto[f] == 1 ? (up ? 8 : 0) : (up ? 128 : 129);
            p.icmpCode = 0;
          }
          table.add(p, sink);
        }
      }
      long t1 = System.nanoTime();
      long alloc1 = mx.getThreadAllocatedBytes(thread);
      table.flush(sink);
      long t2 = System.nanoTime();
      rates[it] = packets * 1e9 / (t1 - t0);
      System.out.printf(
          "iteration %2d: %,12.0f packets/s  %6.1f ns/packet  %5.2f bytes allocated/packet"
              + "  flush %5.1f ms  created %d%n",
          it,
          rates[it],
          (t1 - t0) / (double) packets,
          (alloc1 - alloc0) / (double) packets,
          (t2 - t1) / 1e6,
          table.stats().created());
      if (emitted[0] != packets * (it + 1)) {
        throw new IllegalStateException("packets lost: " + emitted[0]);
      }
    }
    double[] sorted = rates.clone();
    Arrays.sort(sorted);
    System.out.printf(
        "median %,.0f packets/s (min %,.0f, max %,.0f) over %d iterations%n",
        sorted[iterations / 2], sorted[0], sorted[iterations - 1], iterations);
  }
}
