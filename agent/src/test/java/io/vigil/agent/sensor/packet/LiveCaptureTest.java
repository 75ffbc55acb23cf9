package io.vigil.agent.sensor.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Live capture on loopback through the real libpcap: frames of the test's own UDP datagrams arrive
 * with their time and length, a stop returns the loop at once even when no packet comes, and a bad
 * interface or filter fails with a message.
 */
@Tag("kernel")
class LiveCaptureTest {
  @BeforeEach
  void needsRootAndLibpcap() {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "capture needs root (CAP_NET_RAW)");
  }

  @Test
  void capturesTheTestsOwnDatagramsOnLoopbackAndStopsPromptly() throws Exception {
    try (DatagramSocket receiver = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        DatagramSocket sender = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      int port = receiver.getLocalPort();
      List<byte[]> frames = new CopyOnWriteArrayList<>();
      List<Long> times = new CopyOnWriteArrayList<>();
      try (LiveCapture cap =
          LiveCapture.open(
              new CaptureOptions("lo", "udp and dst port " + port, 65_535, 1 << 20, 100))) {
        assertEquals(1, cap.linkType(), "loopback frames are Ethernet-framed on Linux");
        Thread t =
            new Thread(
                () -> {
                  try {
                    cap.loop(
                        (data, linkType, ns, orig) -> {
                          frames.add(data);
                          times.add(ns);
                        });
                  } catch (CaptureException e) {
                    throw new AssertionError(e);
                  }
                },
                "capture");
        t.start();
        Thread.sleep(200); // the handle is open; give the loop a moment to start
        long before = System.currentTimeMillis() * 1_000_000L;
        byte[] body = "vigil-test-capture".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 50; i++) {
          sender.send(
              new DatagramPacket(body, body.length, InetAddress.getLoopbackAddress(), port));
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (frames.size() < 50 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        // Quiet now: stop must still return the loop.
        long stopAt = System.nanoTime();
        cap.stop();
        t.join(10_000);
        assertTrue(!t.isAlive(), "the loop returned after stop on a quiet interface");
        System.out.printf(
            "stop -> loop returned in %d ms%n", (System.nanoTime() - stopAt) / 1_000_000);
        assertEquals(50, frames.size(), "every datagram captured once");
        byte[] f = frames.get(0);
        // Ethernet (14) + IPv4 (20) + UDP (8) + body
        assertEquals(14 + 20 + 8 + body.length, f.length);
        assertEquals(port, ((f[36] & 0xff) << 8) | (f[37] & 0xff), "UDP destination port");
        assertTrue(times.get(0) >= before - 1_000_000_000L, "timestamps are wall clock");
        assertTrue(cap.stats().received() >= 50, cap.stats().toString());
      }
    }
  }

  @Test
  void aMissingInterfaceOrABadFilterFailsWithAMessage() {
    CaptureException missing =
        assertThrows(
            CaptureException.class,
            () ->
                LiveCapture.open(new CaptureOptions("vigil-test-nope0", "", 65_535, 1 << 20, 100)));
    assertTrue(missing.getMessage().contains("vigil-test-nope0"), missing.getMessage());
    CaptureException filter =
        assertThrows(
            CaptureException.class,
            () ->
                LiveCapture.open(
                    new CaptureOptions("lo", "udp port banana", 65_535, 1 << 20, 100)));
    assertTrue(filter.getMessage().contains("udp port banana"), filter.getMessage());
  }
}
