package io.vigil.agent.packet.app;

import io.vigil.agent.packet.app.ProtocolDetector.Detection;
import java.util.Arrays;

/**
 * Holds the first bytes of each side (at most {@link AppOptions#maxDetectBytes}) until {@link
 * ProtocolDetector} decides, then hands them, in order, to the stage for the protocol found. The
 * client's bytes decide; the server's only while the client has sent none (a capture that missed
 * the client's first bytes). Bytes before a gap cannot be completed: they are dropped and detection
 * starts again after the gap, within the same byte bound. Bytes of a direction past the bound while
 * the other still decides are not held: the next stage is told of them as a gap, after the held
 * ones, so that it does not frame what follows from a wrong position.
 *
 * <p>Work is linear in the bytes held: past {@link #RESCAN_ALWAYS} bytes only an HTTP request line
 * can still be undecided, and appending bytes that are neither a line end nor a control character
 * cannot decide it, so detection is not run again for them (a request line arriving one byte per
 * segment would otherwise be scanned from its start on every byte).
 */
final class DetectStage implements Stage {
  private final AppAnalyzer analyzer;
  private final Tunnel via;
  private final int max;

  /**
   * Held client bytes below which detection runs on every append. Every detector but the HTTP
   * request line decides within about 520 bytes (a SOCKS4a request with a 255-byte user id and
   * host), so past this an undecided prefix is a request line still going.
   */
  static final int RESCAN_ALWAYS = 1024;

  private long charged; // the held buffers' lengths, charged to the factory's memory budget
  private long clientDropped; // bytes past the bound not held while undecided: a gap at handoff
  private long serverDropped;
  long clientBytesScanned; // bytes given to the client's detection: linear, not quadratic
  private byte[] client;
  private byte[] server;
  private int clientLen;
  private int serverLen;
  private long clientSeen;
  private long serverSeen;
  private boolean clientClosed;
  private boolean serverClosed;

  DetectStage(AppAnalyzer analyzer, Tunnel via) {
    this.analyzer = analyzer;
    this.via = via;
    this.max = analyzer.factory().options().maxDetectBytes();
  }

  @Override
  public void data(boolean fromClient, byte[] b, int off, int len, long ts) {
    long seen = fromClient ? clientSeen : serverSeen;
    int take = (int) Math.max(0, Math.min(len, max - seen));
    boolean mayDecide = true;
    if (fromClient) {
      mayDecide = clientMayChange(b, off, take);
      byte[] held = take == 0 ? client : append(client, clientLen, b, off, take);
      if (take > 0 && held == null) {
        unknown(ts); // the shared budget refused: too much is held over all connections
        return;
      }
      client = held;
      clientLen += take;
      clientSeen += take;
    } else {
      byte[] held = take == 0 ? server : append(server, serverLen, b, off, take);
      if (take > 0 && held == null) {
        unknown(ts);
        return;
      }
      server = held;
      serverLen += take;
      serverSeen += take;
    }
    if (mayDecide || clientSeen >= max || serverSeen >= max) {
      decide(ts);
    }
    Stage next = analyzer.stage();
    if (take < len) {
      if (next != this) {
        next.data(fromClient, b, off + take, len - take, ts);
      } else if (fromClient) {
        clientDropped += len - take;
      } else {
        serverDropped += len - take;
      }
    }
  }

  /**
   * Whether appending {@code b[off, off+n)} to the held client bytes can change an undecided
   * detection: always while few are held; past that only a line end or control character (or the
   * byte after a CR) can.
   */
  private boolean clientMayChange(byte[] b, int off, int n) {
    if (clientLen < RESCAN_ALWAYS || client[clientLen - 1] == '\r') {
      return true;
    }
    for (int i = off; i < off + n; i++) {
      int c = b[i] & 0xFF;
      if ((c < 0x20 && c != '\t') || c == 0x7F) {
        return true;
      }
    }
    return false;
  }

  @Override
  public void gap(boolean fromClient, long bytes, long ts) {
    if (fromClient ? clientLen > 0 : serverLen > 0) {
      analyzer.factory().counters().detectionGaps++;
    }
    // What was held or dropped before the gap is of no use now: detection starts after it.
    if (fromClient) {
      clientLen = 0;
      clientDropped = 0;
    } else {
      serverLen = 0;
      serverDropped = 0;
    }
  }

  @Override
  public void closed(boolean fromClient, long ts) {
    if (fromClient) {
      clientClosed = true;
    } else {
      serverClosed = true;
    }
    decide(ts);
  }

  @Override
  public void end(long ts) {
    release();
    if (clientLen > 0 || serverLen > 0) {
      analyzer.factory().counters().undecidedAtEnd++;
      analyzer.detected(AppProtocol.UNKNOWN, via, ts);
    }
    analyzer.replace(Stage.DONE);
  }

  @Override
  public boolean wants(boolean fromClient) {
    return true;
  }

  private void decide(long ts) {
    Detection d;
    if (clientLen > 0) {
      clientBytesScanned += clientLen;
      d = ProtocolDetector.client(client, 0, clientLen);
      if (d == Detection.MORE && (clientSeen >= max || clientClosed)) {
        // A request line still going at the bound is HTTP with a long target.
        boolean longLine =
            clientSeen >= max
                && ProtocolDetector.httpRequest(client, 0, clientLen) == Detection.MORE;
        d = longLine ? Detection.HTTP : Detection.NONE;
      }
    } else if (serverLen > 0) {
      d = ProtocolDetector.server(server, 0, serverLen);
      boolean serverDone = serverSeen >= max || serverClosed;
      if (d == Detection.NONE && !serverDone && clientSeen < max) {
        d = Detection.MORE; // perhaps a server-first protocol: let the client speak
      } else if (d == Detection.MORE && serverDone) {
        d = Detection.NONE;
      }
    } else {
      if (clientSeen >= max || serverSeen >= max) {
        unknown(ts);
      }
      return;
    }
    switch (d) {
      case MORE -> {}
      case NONE -> unknown(ts);
      case HTTP -> handOff(AppProtocol.HTTP, new HttpStage(analyzer, via), ts);
      case TLS -> handOff(AppProtocol.TLS, TlsStage.of(analyzer, via), ts);
      case SOCKS4 -> handOff(AppProtocol.SOCKS4, new SocksStage(analyzer, via, false), ts);
      case SOCKS5 -> handOff(AppProtocol.SOCKS5, new SocksStage(analyzer, via, true), ts);
    }
  }

  private void unknown(long ts) {
    release();
    analyzer.detected(AppProtocol.UNKNOWN, via, ts);
    analyzer.replace(Stage.DONE);
  }

  /** Makes {@code next} current and gives it what was held: client bytes, server bytes, closes. */
  private void handOff(AppProtocol p, Stage next, long ts) {
    analyzer.detected(p, via, ts);
    analyzer.replace(next);
    byte[] c = client;
    byte[] s = server;
    int cl = clientLen;
    int sl = serverLen;
    release();
    clientLen = 0;
    serverLen = 0;
    // Each call goes to the stage current at that moment: a stage may hand off again meanwhile.
    long cd = clientDropped;
    long sd = serverDropped;
    clientDropped = 0;
    serverDropped = 0;
    if (cl > 0) {
      analyzer.stage().data(true, c, 0, cl, ts);
    }
    if (cd > 0) {
      analyzer.stage().gap(true, cd, ts);
    }
    if (sl > 0) {
      analyzer.stage().data(false, s, 0, sl, ts);
    }
    if (sd > 0) {
      analyzer.stage().gap(false, sd, ts);
    }
    if (clientClosed) {
      analyzer.stage().closed(true, ts);
    }
    if (serverClosed) {
      analyzer.stage().closed(false, ts);
    }
  }

  /** Gives the held buffers' charge back and drops them (the bytes may still be in use). */
  private void release() {
    analyzer.factory().memory().release(charged);
    charged = 0;
    client = null;
    server = null;
  }

  /**
   * {@code buf} (holding {@code used} bytes) with {@code b[off, off+len)} after them, grown within
   * the byte bound and charged to the shared budget ({@code len} > 0); null when the budget
   * refuses.
   */
  private byte[] append(byte[] buf, int used, byte[] b, int off, int len) {
    int size = buf == null ? 0 : buf.length;
    if (used + len > size) {
      int grown = buf == null ? Math.max(len, 512) : Math.max(used + len, size * 2);
      grown = Math.max(used + len, Math.min(grown, max));
      if (!analyzer.factory().memory().tryReserve(grown - size)) {
        return null;
      }
      charged += grown - size;
      buf = buf == null ? new byte[grown] : Arrays.copyOf(buf, grown);
    }
    System.arraycopy(b, off, buf, used, len);
    return buf;
  }
}
