package io.vigil.collector.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A loopback TCP relay that counts the bytes it forwards from clients to the server: what the
 * server could at most have received (and buffered).
 */
final class CountingProxy implements AutoCloseable {
  final AtomicLong toServer = new AtomicLong();
  private final ServerSocket listener;
  private final int serverPort;

  CountingProxy(int serverPort) throws IOException {
    this.serverPort = serverPort;
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "counting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), serverPort);
        pump(client, server, toServer);
        pump(server, client, new AtomicLong());
      } catch (IOException e) {
        return;
      }
    }
  }

  private static void pump(Socket from, Socket to, AtomicLong count) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 << 10];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  out.write(buf, 0, n);
                  count.addAndGet(n);
                }
              } catch (IOException e) {
                // a side closed
              } finally {
                try {
                  to.close();
                  from.close();
                } catch (IOException e) {
                  // closing
                }
              }
            },
            "counting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
