package io.vigil.collector.sink;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Syslog over a TCP stream (RFC 6587) or TLS (RFC 5425), both with octet-counting framing: {@code
 * LENGTH SP MESSAGE}, no trailer, so a message may hold any byte.
 *
 * <p>Syslog has no acknowledgements: a write that returns only says the bytes are in the local
 * socket buffer. Before each batch the connection is checked (a read that waits 1 ms): a receiver
 * that closed it (stopped, restarted) is seen then, and the batch goes over a new connection or
 * fails, instead of being written into a dead one. Each batch must be written within {@link
 * #WRITE_TIMEOUT}, or the connection is closed and the send fails, so a receiver that stops reading
 * cannot hold the sink's thread forever.
 */
final class SyslogStream implements SyslogTransport {
  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  static final Duration WRITE_TIMEOUT = Duration.ofSeconds(30);

  private final String host;
  private final int port;
  private final SSLSocketFactory tls;
  private Socket socket;
  private InputStream in;
  private OutputStream out;

  /**
   * @param tls null for plain TCP
   */
  SyslogStream(String host, int port, SSLSocketFactory tls) {
    this.host = host;
    this.port = port;
    this.tls = tls;
  }

  @Override
  public void send(List<byte[]> messages) throws IOException {
    if (socket != null && peerClosed()) {
      close();
    }
    if (socket == null) {
      connect();
    }
    Socket s = socket;
    // Closing the socket from another thread is the one way to end a blocked write.
    CompletableFuture<Void> deadline =
        CompletableFuture.runAsync(
            () -> closeQuietly(s),
            CompletableFuture.delayedExecutor(WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    try {
      for (byte[] m : messages) {
        out.write(Integer.toString(m.length).getBytes(StandardCharsets.US_ASCII));
        out.write(' ');
        out.write(m);
      }
      out.flush();
    } catch (IOException e) {
      close();
      throw deadline.isDone()
          ? new IOException("syslog receiver took no data for " + WRITE_TIMEOUT, e)
          : e;
    } finally {
      deadline.cancel(false);
    }
  }

  private void connect() throws IOException {
    Socket s = new Socket();
    try {
      InetSocketAddress to = new InetSocketAddress(host, port);
      if (to.isUnresolved()) {
        throw new IOException("cannot resolve syslog host " + host);
      }
      s.connect(to, (int) CONNECT_TIMEOUT.toMillis());
      s.setTcpNoDelay(true);
      s.setKeepAlive(true);
      if (tls != null) {
        s.setSoTimeout((int) CONNECT_TIMEOUT.toMillis()); // bounds the handshake
        SSLSocket t = (SSLSocket) tls.createSocket(s, host, port, true);
        SyslogTls.configure(t);
        t.startHandshake();
        s = t;
      }
      s.setSoTimeout(1); // for peerClosed
      in = s.getInputStream();
      out = new BufferedOutputStream(s.getOutputStream(), 64 * 1024);
      socket = s;
    } catch (IOException e) {
      closeQuietly(s);
      throw e;
    }
  }

  /** True when the receiver closed or reset the connection; a receiver never sends syslog data. */
  private boolean peerClosed() {
    try {
      return in.read() < 0;
    } catch (SocketTimeoutException e) {
      return false; // open, nothing to read: the normal case
    } catch (IOException e) {
      return true;
    }
  }

  @Override
  public void close() {
    if (socket != null) {
      closeQuietly(socket);
      socket = null;
      in = null;
      out = null;
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing to give up on it: nothing more to do
    }
  }
}
