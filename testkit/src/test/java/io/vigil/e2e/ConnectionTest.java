package io.vigil.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.Transport;
import io.vigil.testkit.Child;
import io.vigil.testkit.EventText;
import io.vigil.testkit.Host;
import io.vigil.testkit.SensorRun;
import io.vigil.testkit.SensorsYaml;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Connection events from the real kernel, as root, on loopback: a TCP connection that lives a few
 * milliseconds is reported with the client process (outbound) and with the server process
 * (inbound), and the test JVM's listening socket is reported. The listener is an AF_INET socket (a
 * default Java socket would be dual-stack AF_INET6 with a v4-mapped address) and is opened before
 * the agent starts; snapshots run every 2 s so it is seen either way.
 */
@Tag("kernel")
class ConnectionTest {
  @TempDir static Path dir;
  private static ServerSocketChannel listener;
  private static int port;
  private static SensorRun run;

  @BeforeAll
  static void listenThenStartAgent() throws Exception {
    listener = ServerSocketChannel.open(StandardProtocolFamily.INET);
    listener.bind(new InetSocketAddress("127.0.0.1", 0));
    port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
    run = SensorRun.start(dir, new SensorsYaml().withSnapshotInterval("2s"));
  }

  @AfterAll
  static void stopAgent() throws Exception {
    try {
      if (run != null) {
        run.close();
      }
    } finally {
      if (listener != null) {
        listener.close();
      }
    }
  }

  @Test
  void aConnectionOfAFewMillisecondsIsReportedWithClientAndServerProcess() throws Exception {
    CompletableFuture<Integer> clientPort =
        CompletableFuture.supplyAsync(
            () -> {
              try (SocketChannel s = listener.accept()) {
                return ((InetSocketAddress) s.getRemoteAddress()).getPort(); // closed at once
              } catch (Exception e) {
                throw new IllegalStateException(e);
              }
            });
    Child bash =
        Child.start(dir, "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/" + port + "; exec 3>&-");
    bash.output();
    int peer = clientPort.get(30, TimeUnit.SECONDS);

    NetworkConnection out =
        run.awaitConnection(
            "OUTBOUND to 127.0.0.1:" + port + " by bash pid " + bash.pid(),
            c ->
                c.getDirection() == Direction.DIRECTION_OUTBOUND && c.getDestinationPort() == port);
    String shown = "\n" + EventText.of(out);
    assertEquals(Transport.TRANSPORT_TCP, out.getTransport(), shown);
    assertEquals("audit", out.getSource(), "reported in real time, not by a snapshot" + shown);
    assertEquals("127.0.0.1", out.getDestinationIp(), shown);
    assertEquals(bash.pid(), out.getProcess().getPid(), "the client process" + shown);
    assertEquals(
        Path.of("/usr/bin/bash").toRealPath().toString(), out.getProcess().getImage(), shown);

    NetworkConnection in =
        run.awaitConnection(
            "INBOUND on 127.0.0.1:" + port + " from client port " + peer,
            c ->
                c.getDirection() == Direction.DIRECTION_INBOUND
                    && c.getDestinationPort() == port
                    && c.getSourcePort() == peer);
    shown = "\n" + EventText.of(in);
    assertEquals(Transport.TRANSPORT_TCP, in.getTransport(), shown);
    assertEquals("audit", in.getSource(), "reported in real time, not by a snapshot" + shown);
    assertEquals("127.0.0.1", in.getSourceIp(), "peer address" + shown);
    assertEquals("127.0.0.1", in.getDestinationIp(), shown);
    assertEquals(Host.pid(), in.getProcess().getPid(), "the server process = test JVM" + shown);
  }

  @Test
  void theTestJvmsListeningSocketIsReported() throws Exception {
    // Which side of the message holds a listening socket's address is not part of the contract.
    NetworkConnection l =
        run.awaitConnection(
            "LISTEN on 127.0.0.1:" + port,
            c -> c.getDirection() == Direction.DIRECTION_LISTEN && c.getDestinationPort() == port);
    String shown = "\n" + EventText.of(l);
    // A listening socket is where clients connect to: its address is the destination.
    assertEquals("127.0.0.1", l.getDestinationIp(), shown);
    assertEquals("", l.getSourceIp(), shown);
    assertEquals(Transport.TRANSPORT_TCP, l.getTransport(), shown);
    assertEquals(Host.pid(), l.getProcess().getPid(), "the listening process = test JVM" + shown);
    assertEquals(Host.javaExecutable().toString(), l.getProcess().getImage(), shown);
  }
}
