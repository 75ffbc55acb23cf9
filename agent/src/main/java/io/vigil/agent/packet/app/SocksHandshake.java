package io.vigil.agent.packet.app;

import io.vigil.agent.packet.IpText;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Follows a SOCKS4/4a (request, reply) or SOCKS5 (greeting, method choice, optional
 * username/password exchange, request, reply) handshake from both sides' bytes, to the point where
 * the tunnel starts. Each side's bytes are held (at most {@code maxBytes}) and read message by
 * message in the protocol's order, so a client that sends ahead of the answers is followed too.
 * Bytes past the last handshake message are the tunnel's and are handed back. A malformed message,
 * a refusal, a method or command that cannot be followed (GSSAPI, BIND, UDP ASSOCIATE) or a side
 * over the bound ends it as {@link Status#FAILED}. Never throws.
 */
final class SocksHandshake {
  enum Status {
    IN_PROGRESS,
    TUNNEL,
    FAILED
  }

  private static final int NEED = 0;
  private static final int BAD = -1;

  // Phases, in order; SOCKS4 uses REQUEST and REPLY only.
  private static final int GREETING = 0;
  private static final int CHOICE = 1;
  private static final int AUTH = 2;
  private static final int AUTH_REPLY = 3;
  private static final int REQUEST = 4;
  private static final int REPLY = 5;

  private final boolean v5;
  private final int maxBytes;
  private byte[] client = new byte[64];
  private byte[] server = new byte[64];
  private int clientLen;
  private int serverLen;
  private int clientPos;
  private int serverPos;
  private int phase;
  private Status status = Status.IN_PROGRESS;
  private Tunnel.Kind kind;
  private String host = "";
  private int port = -1;
  private int command;

  SocksHandshake(boolean v5, int maxBytes) {
    this.v5 = v5;
    this.maxBytes = maxBytes;
    this.phase = v5 ? GREETING : REQUEST;
    this.kind = v5 ? Tunnel.Kind.SOCKS5 : Tunnel.Kind.SOCKS4;
  }

  Status status() {
    return status;
  }

  Tunnel.Kind kind() {
    return kind;
  }

  String host() {
    return host;
  }

  int port() {
    return port;
  }

  /** What the client sent after the handshake (the tunnel's first bytes). */
  byte[] clientRest() {
    return Arrays.copyOfRange(client, clientPos, clientLen);
  }

  /** What the server sent after the handshake. */
  byte[] serverRest() {
    return Arrays.copyOfRange(server, serverPos, serverLen);
  }

  Status client(byte[] b, int off, int len) {
    if (status == Status.IN_PROGRESS) {
      if (clientLen + len > maxBytes) {
        status = Status.FAILED;
      } else {
        client = append(client, clientLen, b, off, len);
        clientLen += len;
        step();
      }
    }
    return status;
  }

  Status server(byte[] b, int off, int len) {
    if (status == Status.IN_PROGRESS) {
      if (serverLen + len > maxBytes) {
        status = Status.FAILED;
      } else {
        server = append(server, serverLen, b, off, len);
        serverLen += len;
        step();
      }
    }
    return status;
  }

  /** Bytes were lost: the handshake cannot be followed. */
  void fail() {
    status = Status.FAILED;
  }

  private static byte[] append(byte[] buf, int used, byte[] b, int off, int len) {
    if (used + len > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(used + len, buf.length * 2));
    }
    System.arraycopy(b, off, buf, used, len);
    return buf;
  }

  /** Reads every message that is complete, in the protocol's order. */
  private void step() {
    while (status == Status.IN_PROGRESS) {
      boolean fromClient = phase == GREETING || phase == AUTH || phase == REQUEST;
      byte[] b = fromClient ? client : server;
      int pos = fromClient ? clientPos : serverPos;
      int avail = (fromClient ? clientLen : serverLen) - pos;
      int n =
          switch (phase) {
            case GREETING -> greeting(b, pos, avail);
            case CHOICE -> choice(b, pos, avail);
            case AUTH -> auth(b, pos, avail);
            case AUTH_REPLY -> authReply(b, pos, avail);
            case REQUEST -> v5 ? request5(b, pos, avail) : request4(b, pos, avail);
            default -> v5 ? reply5(b, pos, avail) : reply4(b, pos, avail);
          };
      if (n == NEED) {
        return;
      }
      if (n == BAD) {
        status = Status.FAILED;
        return;
      }
      if (fromClient) {
        clientPos += n;
      } else {
        serverPos += n;
      }
      if (phase == REPLY) {
        status = Status.TUNNEL;
        return;
      }
      if (phase == CHOICE) {
        phase = (b[pos + 1] & 0xFF) == 0x02 ? AUTH : REQUEST;
      } else {
        phase++;
      }
    }
  }

  private static int greeting(byte[] b, int p, int n) {
    if (n < 2) {
      return NEED;
    }
    int len = 2 + (b[p + 1] & 0xFF);
    return b[p] != 5 || len == 2 ? BAD : n < len ? NEED : len;
  }

  /** The server's method choice: no authentication (0) or username/password (2) can be followed. */
  private static int choice(byte[] b, int p, int n) {
    if (n < 2) {
      return NEED;
    }
    int m = b[p + 1] & 0xFF;
    return b[p] == 5 && (m == 0 || m == 2) ? 2 : BAD;
  }

  /** RFC 1929: version 1, user name (1 to 255 bytes), password (0 to 255). */
  private static int auth(byte[] b, int p, int n) {
    if (n < 2) {
      return NEED;
    }
    int ulen = b[p + 1] & 0xFF;
    if (b[p] != 1 || ulen == 0) {
      return BAD;
    }
    if (n < 3 + ulen) {
      return NEED;
    }
    int len = 3 + ulen + (b[p + 2 + ulen] & 0xFF);
    return n < len ? NEED : len;
  }

  /** Status 0 is success; some servers answer with version 5 instead of 1. */
  private static int authReply(byte[] b, int p, int n) {
    if (n < 2) {
      return NEED;
    }
    return (b[p] == 1 || b[p] == 5) && b[p + 1] == 0 ? 2 : BAD;
  }

  private int request5(byte[] b, int p, int n) {
    int len = address5(b, p, n);
    if (len <= 0) {
      return len;
    }
    command = b[p + 1];
    if (command != 1) {
      return BAD; // BIND, UDP ASSOCIATE: no tunnel on this connection to follow
    }
    int atyp = b[p + 3];
    if (atyp == 1) {
      host = IpText.of(b, p + 4, 4);
    } else if (atyp == 4) {
      host = IpText.of(b, p + 4, 16);
    } else {
      host = new String(b, p + 5, b[p + 4] & 0xFF, StandardCharsets.UTF_8);
    }
    port = (b[p + len - 2] & 0xFF) << 8 | (b[p + len - 1] & 0xFF);
    return len;
  }

  private static int reply5(byte[] b, int p, int n) {
    int len = address5(b, p, n);
    if (len <= 0) {
      return len;
    }
    return b[p + 1] == 0 ? len : BAD;
  }

  /** The length of a SOCKS5 request or reply: version 5, code, reserved 0, address, port. */
  private static int address5(byte[] b, int p, int n) {
    if (n < 5) {
      return NEED;
    }
    if (b[p] != 5 || b[p + 2] != 0) {
      return BAD;
    }
    int len =
        switch (b[p + 3]) {
          case 1 -> 10;
          case 4 -> 22;
          case 3 -> (b[p + 4] & 0xFF) == 0 ? BAD : 7 + (b[p + 4] & 0xFF);
          default -> BAD;
        };
    return len == BAD ? BAD : n < len ? NEED : len;
  }

  private int request4(byte[] b, int p, int n) {
    if (n < 8) {
      return NEED;
    }
    if (b[p] != 4 || b[p + 1] != 1) {
      return BAD; // BIND: not followed
    }
    int userEnd = nul(b, p + 8, p + n);
    if (userEnd < 0) {
      return n > 8 + 256 ? BAD : NEED;
    }
    port = (b[p + 2] & 0xFF) << 8 | (b[p + 3] & 0xFF);
    boolean v4a = b[p + 4] == 0 && b[p + 5] == 0 && b[p + 6] == 0 && b[p + 7] != 0;
    if (!v4a) {
      host = IpText.of(b, p + 4, 4);
      return userEnd + 1 - p;
    }
    int hostEnd = nul(b, userEnd + 1, p + n);
    if (hostEnd < 0) {
      return n > userEnd + 1 - p + 256 ? BAD : NEED;
    }
    kind = Tunnel.Kind.SOCKS4A;
    host = new String(b, userEnd + 1, hostEnd - userEnd - 1, StandardCharsets.UTF_8);
    return hostEnd + 1 - p;
  }

  /** Version 0 (some servers send 4), code 0x5A granted; port and address are not used. */
  private static int reply4(byte[] b, int p, int n) {
    if (n < 8) {
      return NEED;
    }
    return (b[p] == 0 || b[p] == 4) && (b[p + 1] & 0xFF) == 0x5A ? 8 : BAD;
  }

  private static int nul(byte[] b, int from, int end) {
    for (int i = from; i < end; i++) {
      if (b[i] == 0) {
        return i;
      }
    }
    return -1;
  }
}
