package io.vigil.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A TCP and UDP echo server on one address and port, run as its own JVM inside a network namespace
 * ({@link #start}) as the far end of the reachability probes of {@link Netns}: every byte a TCP
 * client sends comes back on its connection, every UDP datagram goes back to its sender. Prints
 * {@code listening} once both sockets are bound. Each TCP connection has its own thread, so a
 * long-lived session does not block new connections.
 */
public final class EchoPeer {
  private EchoPeer() {}

  /** {@code EchoPeer ADDRESS PORT}. */
  public static void main(String[] args) throws IOException {
    if (args.length != 2) {
      System.err.println("usage: EchoPeer ADDRESS PORT");
      System.exit(2);
    }
    InetAddress address = InetAddress.getByName(args[0]);
    int port = Integer.parseInt(args[1]);
    ServerSocket tcp = new ServerSocket();
    tcp.setReuseAddress(true);
    tcp.bind(new InetSocketAddress(address, port), 16);
    DatagramSocket udp = new DatagramSocket(new InetSocketAddress(address, port));
    Thread u = new Thread(() -> echoDatagrams(udp), "udp-echo");
    u.setDaemon(true);
    u.start();
    System.out.println("listening on " + args[0] + ":" + port);
    System.out.flush();
    while (true) {
      Socket s = tcp.accept();
      Thread t = new Thread(() -> echoStream(s), "tcp-echo-" + s.getPort());
      t.setDaemon(true);
      t.start();
    }
  }

  private static void echoDatagrams(DatagramSocket udp) {
    byte[] buf = new byte[2048];
    while (true) {
      try {
        DatagramPacket p = new DatagramPacket(buf, buf.length);
        udp.receive(p);
        udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
      } catch (IOException e) {
        // a send that failed (e.g. the sender's network is cut); keep serving others
      }
    }
  }

  private static void echoStream(Socket s) {
    try (s;
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream()) {
      byte[] buf = new byte[4096];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the client went away, or its network was cut
    }
  }

  /**
   * Starts an echo peer in {@code netns} on {@code address}:{@code port} (a small JVM) and waits
   * until it listens; its output goes to {@code log}. The caller closes it.
   */
  public static VigilProcess start(Netns netns, String address, int port, Path log)
      throws IOException, InterruptedException {
    List<String> cmd = new java.util.ArrayList<>(netns.prefix());
    cmd.addAll(
        VigilProcess.javaCommand(
            EchoPeer.class.getName(),
            List.of("-Xmx32m", "-XX:+UseSerialGC"),
            address,
            Integer.toString(port)));
    VigilProcess p =
        VigilProcess.startCommand("echo peer in " + netns, cmd, log, java.util.Map.of());
    Poll.until(
        Duration.ofSeconds(60),
        () -> "the echo peer in " + netns + " did not listen: " + p.logText(),
        () -> !p.isAlive() || p.logText().contains("listening"));
    if (!p.isAlive()) {
      throw new AssertionError("the echo peer in " + netns + " exited: " + p.logText());
    }
    return p;
  }
}
