package io.vigil.agent.response.network;

import io.vigil.agent.platform.linux.NetworkNamespace;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test plumbing for network namespaces: runs commands, runs code on a thread that entered a
 * namespace, and echo servers and clients there. Every thread that enters a namespace is a new one
 * and dies afterwards, so no pooled thread is left in a test namespace.
 */
final class Namespaces {
  private Namespaces() {}

  /** Runs a command, returns its exit code; output goes to the returned text on failure. */
  static Result sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    CompletableFuture<String> out =
        CompletableFuture.supplyAsync(
            () -> {
              try (InputStream in = p.getInputStream()) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
              } catch (IOException e) {
                return e.toString();
              }
            });
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", cmd) + " did not finish");
    }
    return new Result(p.exitValue(), out.join());
  }

  record Result(int code, String output) {}

  /** Runs a command and fails unless it succeeds. */
  static String must(String... cmd) throws IOException, InterruptedException {
    Result r = sh(cmd);
    if (r.code() != 0) {
      throw new IOException(String.join(" ", cmd) + " failed: " + r.output());
    }
    return r.output();
  }

  /** {@code ip netns exec ns cmd...} */
  static Result in(String ns, String... cmd) throws IOException, InterruptedException {
    String[] all = new String[cmd.length + 4];
    System.arraycopy(new String[] {"ip", "netns", "exec", ns}, 0, all, 0, 4);
    System.arraycopy(cmd, 0, all, 4, cmd.length);
    return sh(all);
  }

  /** Runs {@code c} on a new thread inside namespace {@code ns}. */
  static <T> T call(String ns, Callable<T> c) throws Exception {
    CompletableFuture<T> f = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                NetworkNamespace.enter(ns);
                f.complete(c.call());
              } catch (Throwable e) {
                f.completeExceptionally(e);
              }
            },
            "vigil-test-in-" + ns);
    t.setDaemon(true);
    t.start();
    return f.get(60, TimeUnit.SECONDS);
  }

  /** A TCP and a UDP line-echo server on one address and port, inside a namespace. */
  static Closeable echo(String ns, String ip, int port) throws Exception {
    ServerSocket tcp = call(ns, () -> new ServerSocket(port, 50, InetAddress.getByName(ip)));
    DatagramSocket udp = call(ns, () -> new DatagramSocket(port, InetAddress.getByName(ip)));
    // Sockets keep the namespace they were made in: plain threads serve them.
    Thread a =
        new Thread(
            () -> {
              while (!tcp.isClosed()) {
                try {
                  Socket s = tcp.accept();
                  Thread h = new Thread(() -> serve(s));
                  h.setDaemon(true);
                  h.start();
                } catch (IOException e) {
                  return;
                }
              }
            });
    a.setDaemon(true);
    a.start();
    Thread u =
        new Thread(
            () -> {
              byte[] buf = new byte[512];
              while (!udp.isClosed()) {
                try {
                  DatagramPacket p = new DatagramPacket(buf, buf.length);
                  udp.receive(p);
                  udp.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
                } catch (IOException e) {
                  return;
                }
              }
            });
    u.setDaemon(true);
    u.start();
    return () -> {
      tcp.close();
      udp.close();
    };
  }

  private static void serve(Socket s) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      byte[] buf = new byte[512];
      for (int n; (n = in.read(buf)) > 0; ) {
        out.write(buf, 0, n);
        out.flush();
      }
    } catch (IOException e) {
      // the client went away or the test closed it
    }
  }

  /** A TCP connection made from inside a namespace; the socket itself is used from anywhere. */
  static Socket connect(String ns, String ip, int port) throws Exception {
    return call(
        ns,
        () -> {
          Socket s = new Socket();
          s.connect(new InetSocketAddress(ip, port), 1500);
          s.setSoTimeout(1500);
          return s;
        });
  }

  /** True when {@code text} comes back over the connection within its timeout. */
  static boolean echoes(Socket s, String text) {
    try {
      s.getOutputStream().write((text + "\n").getBytes(StandardCharsets.UTF_8));
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      while (!got.toString(StandardCharsets.UTF_8).contains(text)) {
        int b = s.getInputStream().read();
        if (b < 0) {
          return false;
        }
        got.write(b);
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** A fresh TCP connection from {@code ns} that echoes. */
  static boolean tcp(String ns, String ip, int port) throws Exception {
    try (Socket s = connect(ns, ip, port)) {
      return echoes(s, "tcp-" + System.nanoTime());
    } catch (java.util.concurrent.ExecutionException e) {
      return false;
    }
  }

  /** A UDP datagram from {@code ns} that comes back. */
  static boolean udp(String ns, String ip, int port) throws Exception {
    return call(
        ns,
        () -> {
          try (DatagramSocket d = new DatagramSocket()) {
            d.setSoTimeout(1500);
            byte[] msg = ("udp-" + System.nanoTime()).getBytes(StandardCharsets.UTF_8);
            d.send(new DatagramPacket(msg, msg.length, InetAddress.getByName(ip), port));
            DatagramPacket p = new DatagramPacket(new byte[512], 512);
            d.receive(p);
            return new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8)
                .equals(new String(msg, StandardCharsets.UTF_8));
          } catch (IOException e) {
            return false;
          }
        });
  }

  /** One ping from {@code ns}. */
  static boolean ping(String ns, String ip) throws Exception {
    return in(ns, "ping", "-c1", "-W1", ip).code() == 0;
  }

  /** Removes the namespaces (and their veth pairs with them), ignoring those that do not exist. */
  static void delete(List<String> names) throws Exception {
    for (String n : names) {
      sh("ip", "netns", "del", n);
    }
  }
}
