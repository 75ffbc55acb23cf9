package io.vigil.agent.packet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.vigil.agent.packet.dns.DnsAnswerCache;
import io.vigil.agent.packet.file.CaptureFileReader;
import io.vigil.agent.packet.flow.FlowOptions;
import io.vigil.proto.v1.Flow;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue #6: the flows of a capture recorded here ({@code tcpdump} on loopback while {@code curl}
 * fetches from a local server) agree with {@code tshark -z conv,tcp} on packets and bytes in each
 * direction. tshark counts frame bytes; Vigil counts IP bytes, so each frame's 14-byte Ethernet
 * header (loopback frames are Ethernet-framed on Linux) is the only difference. tcpdump runs in
 * immediate mode: with TPACKET_V3 a block that has not retired is lost when tcpdump is stopped, so
 * a short capture would otherwise be empty.
 */
@Tag("kernel")
class FlowAgreementTest {
  private static final Pattern ROW =
      Pattern.compile(
          "^(\\S+):(\\d+)\\s+<->\\s+(\\S+):(\\d+)\\s+(\\d+)\\s+(\\d+) bytes\\s+(\\d+)\\s+(\\d+)"
              + " bytes\\s+");

  @TempDir Path dir;

  @Test
  void flowsOfARecordedCurlCaptureAgreeWithTsharkConversations() throws Exception {
    Assumptions.assumeTrue(
        "root".equals(System.getProperty("user.name")), "tcpdump on loopback needs root");
    boolean ci = "true".equals(System.getenv("CI"));
    for (String tool : List.of("/usr/bin/tcpdump", "/usr/bin/tshark", "/usr/bin/curl")) {
      if (!Files.isExecutable(Path.of(tool))) {
        if (ci) {
          throw new AssertionError(tool + " is missing: .ci/run installs it");
        }
        Assumptions.abort(tool + " is not installed");
      }
    }
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          byte[] body = ("vigil-test " + x.getRequestURI()).getBytes(StandardCharsets.UTF_8);
          x.sendResponseHeaders(200, body.length);
          x.getResponseBody().write(body);
          x.close();
        });
    server.start();
    int port = server.getAddress().getPort();
    Path pcap = dir.resolve("curl.pcap");
    Process tcpdump =
        new ProcessBuilder(
                "tcpdump",
                "-i",
                "lo",
                "-U",
                "--immediate-mode",
                "-Z",
                "root",
                "-w",
                pcap.toString(),
                "tcp port " + port)
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("tcpdump.log").toFile())
            .start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!Files.readString(dir.resolve("tcpdump.log")).contains("listening on")) {
        assertTrue(System.nanoTime() < deadline && tcpdump.isAlive(), "tcpdump did not start");
        Thread.sleep(50);
      }
      for (int i = 0; i < 5; i++) {
        Process curl =
            new ProcessBuilder(
                    "curl",
                    "-s",
                    "-o",
                    "/dev/null",
                    "http://127.0.0.1:" + port + "/vigil-test-" + i)
                .redirectErrorStream(true)
                .start();
        assertTrue(curl.waitFor(30, TimeUnit.SECONDS) && curl.exitValue() == 0, "curl failed");
      }
      Thread.sleep(500);
    } finally {
      tcpdump.destroy(); // SIGTERM: tcpdump flushes and closes the file
      tcpdump.waitFor(30, TimeUnit.SECONDS);
      server.stop(0);
    }

    List<Flow> flows = new ArrayList<>();
    PacketPipeline pipeline =
        new PacketPipeline(
            "lo",
            FlowOptions.defaults(),
            new DnsAnswerCache(),
            e -> {
              if (e.hasFlow()) {
                flows.add(e.getFlow()); // curl's requests are HTTP events too: not compared here
              }
            });
    new CaptureFileReader().read(pcap, pipeline::frame);
    pipeline.finish();

    Process tshark =
        new ProcessBuilder("tshark", "-r", pcap.toString(), "-q", "-z", "conv,tcp")
            .redirectErrorStream(true)
            .start();
    String conv = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(tshark.waitFor(60, TimeUnit.SECONDS), "tshark did not finish");
    int rows = 0;
    for (String line : conv.split("\n")) {
      Matcher m = ROW.matcher(line);
      if (!m.find()) {
        continue;
      }
      rows++;
      String a = m.group(1);
      int aPort = Integer.parseInt(m.group(2));
      String b = m.group(3);
      int bPort = Integer.parseInt(m.group(4));
      long framesBtoA = Long.parseLong(m.group(5));
      long bytesBtoA = Long.parseLong(m.group(6));
      long framesAtoB = Long.parseLong(m.group(7));
      long bytesAtoB = Long.parseLong(m.group(8));
      Flow f =
          flows.stream()
              .filter(
                  x ->
                      (x.getSourceIp().equals(a)
                              && x.getSourcePort() == aPort
                              && x.getDestinationIp().equals(b)
                              && x.getDestinationPort() == bPort)
                          || (x.getSourceIp().equals(b)
                              && x.getSourcePort() == bPort
                              && x.getDestinationIp().equals(a)
                              && x.getDestinationPort() == aPort))
              .findFirst()
              .orElseThrow(() -> new AssertionError("no flow for " + line + " in " + flows));
      boolean aIsClient = f.getSourceIp().equals(a) && f.getSourcePort() == aPort;
      long toServerFrames = aIsClient ? framesAtoB : framesBtoA;
      long toServerBytes = aIsClient ? bytesAtoB : bytesBtoA;
      long toClientFrames = aIsClient ? framesBtoA : framesAtoB;
      long toClientBytes = aIsClient ? bytesBtoA : bytesAtoB;
      String shown = line + "\n" + f;
      assertEquals(toServerFrames, f.getPacketsToServer(), shown);
      assertEquals(toClientFrames, f.getPacketsToClient(), shown);
      assertEquals(toServerBytes, f.getBytesToServer() + 14 * f.getPacketsToServer(), shown);
      assertEquals(toClientBytes, f.getBytesToClient() + 14 * f.getPacketsToClient(), shown);
      assertEquals(port, f.getDestinationPort(), "curl is the client: " + shown);
      assertEquals("SF", f.getState(), shown);
    }
    assertEquals(5, rows, "one conversation per curl:\n" + conv);
    assertEquals(5, flows.size(), flows.toString());
  }
}
