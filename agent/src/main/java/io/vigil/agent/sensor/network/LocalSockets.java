package io.vigil.agent.sensor.network;

import io.vigil.agent.packet.IpText;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.NetworkConnection.Direction;
import io.vigil.proto.v1.ProcessRef;
import io.vigil.proto.v1.Transport;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Which process owns a local socket, learnt from the connection events the connection sensor emits,
 * so that the packet sensor can name the process of a flow or a DNS query. Three kinds of entries,
 * tried in this order by {@link #processOf}:
 *
 * <ol>
 *   <li>a connection with both ends known (sock_diag snapshots, audit accepts): the exact 5-tuple;
 *   <li>a listener (TCP listening or bound unconnected UDP socket) by local address and port, a
 *       wildcard listener ({@code 0.0.0.0}, {@code ::}) by port on any local address;
 *   <li>an audit connect, whose local end the kernel had not chosen yet: by transport (or an
 *       unknown transport, when audit could not tell TCP from UDP) and remote address and port,
 *       only on the local side of the flow, only for {@link #REMOTE_ONLY_MAX_AGE_NS} and only while
 *       one process alone connected there (two processes talking to the same resolver make the
 *       entry ambiguous: no process rather than a wrong one).
 * </ol>
 *
 * A DNS query is looked up by {@link #querierOf}, which wants the asking process rather than the
 * answering one.
 *
 * <p>Wildcard listeners and connect-only entries need to know which addresses are this host's
 * ({@link #localAddresses}); until they are given, only exact matches count. Addresses are compared
 * in {@link IpText} canonical form, so IPv4-mapped IPv6 matches plain IPv4.
 *
 * <p>Bounded: at most {@code maxEntries}, the least recently used forgotten first. Thread-safe (one
 * lock; both sides are per connection event or per flow, far below rates where a lock matters).
 */
public final class LocalSockets {
  /** Default bound on entries. */
  public static final int DEFAULT_MAX_ENTRIES = 65_536;

  /** How long a connect without its local end may name the process of a flow (2 min). */
  public static final long REMOTE_ONLY_MAX_AGE_NS = 120_000_000_000L;

  private static final String ANY = "*";

  private enum Kind {
    CONNECTION,
    LISTENER,
    REMOTE_ONLY
  }

  private record Key(
      Kind kind, int transport, String localIp, int localPort, String remoteIp, int remotePort) {}

  /** {@code process} is null when two processes claimed a connect-only entry (ambiguous). */
  private record Entry(ProcessRef process, long timeNs) {}

  private final LinkedHashMap<Key, Entry> map;
  private volatile Set<String> localAddresses = Set.of();

  /** A registry of at most {@link #DEFAULT_MAX_ENTRIES}. */
  public LocalSockets() {
    this(DEFAULT_MAX_ENTRIES);
  }

  /** A registry of at most {@code maxEntries} (at least 1). */
  public LocalSockets(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.map =
        new LinkedHashMap<>(Math.min(maxEntries, 1024) * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<Key, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /** This host's addresses (any spelling; non-literals are ignored); replaces the previous set. */
  public void localAddresses(Set<String> addresses) {
    this.localAddresses = canonicalSet(addresses);
  }

  /**
   * The addresses in {@link IpText} canonical form, non-literals left out: the form the lookups
   * taking an explicit set of local addresses expect.
   */
  public static Set<String> canonicalSet(Set<String> addresses) {
    Set<String> canonical = new HashSet<>();
    for (String a : addresses) {
      String c = IpText.canonical(a);
      if (c != null) {
        canonical.add(c);
      }
    }
    return Set.copyOf(canonical);
  }

  /** Learns the owner of the socket of a connection event; events without a process are ignored. */
  public void remember(NetworkConnection c, long nowNs) {
    if (!c.hasProcess() || c.getProcess().getPid() <= 0) {
      return;
    }
    int t = c.getTransportValue();
    ProcessRef p = c.getProcess();
    String src = canonicalOrAny(c.getSourceIp());
    String dst = canonicalOrAny(c.getDestinationIp());
    Direction d = c.getDirection();
    if (d == Direction.DIRECTION_LISTEN) {
      put(new Key(Kind.LISTENER, t, dst, c.getDestinationPort(), "", 0), p, nowNs);
    } else if (d == Direction.DIRECTION_INBOUND) {
      if (src != null && !src.equals(ANY) && dst != null && c.getSourcePort() > 0) {
        put(
            new Key(Kind.CONNECTION, t, dst, c.getDestinationPort(), src, c.getSourcePort()),
            p,
            nowNs);
      }
    } else if (d == Direction.DIRECTION_OUTBOUND && dst != null && !dst.equals(ANY)) {
      if (src != null && !src.equals(ANY) && c.getSourcePort() > 0) {
        put(
            new Key(Kind.CONNECTION, t, src, c.getSourcePort(), dst, c.getDestinationPort()),
            p,
            nowNs);
      } else {
        rememberRemoteOnly(
            new Key(Kind.REMOTE_ONLY, t, "", 0, dst, c.getDestinationPort()), p, nowNs);
      }
    }
  }

  /**
   * The process owning the local end of traffic between {@code a} and {@code b} (either may be the
   * local one; for flows, {@code a} is the client), or null when unknown or ambiguous; this host's
   * addresses are those last given to {@link #localAddresses}.
   */
  public ProcessRef processOf(
      Transport transport, String ipA, int portA, String ipB, int portB, long nowNs) {
    return processOf(transport, ipA, portA, ipB, portB, nowNs, localAddresses);
  }

  /**
   * As {@link #processOf(Transport, String, int, String, int, long)}, with the local addresses of
   * where the traffic was seen ({@link #canonicalSet} form): a capture inside another network
   * namespace passes that namespace's addresses.
   */
  public ProcessRef processOf(
      Transport transport,
      String ipA,
      int portA,
      String ipB,
      int portB,
      long nowNs,
      Set<String> local) {
    String a = IpText.canonical(ipA);
    String b = IpText.canonical(ipB);
    if (a == null || b == null) {
      return null;
    }
    int t = transport.getNumber();
    boolean aLocal = isLocal(a, local);
    synchronized (this) {
      if (aLocal != isLocal(b, local)) {
        // One end is where the traffic was seen, the other is not: that end's process first. Both
        // may be known when the far end is another namespace of this host (a capture inside a
        // container's namespace sees the host's server as remote).
        ProcessRef p = aLocal ? side(t, a, portA, b, portB, local, nowNs) : null;
        if (p == null) {
          p = side(t, b, portB, a, portA, local, nowNs);
        }
        if (p == null && !aLocal) {
          p = side(t, a, portA, b, portB, local, nowNs);
        }
        return p;
      }
      ProcessRef p = connection(t, a, portA, b, portB, local);
      if (p == null) {
        p = connection(t, b, portB, a, portA, local);
      }
      // The server side first: a local client port rarely is a listener's, a local server's is.
      if (p == null) {
        p = listener(t, b, portB, local);
      }
      if (p == null) {
        p = listener(t, a, portA, local);
      }
      if (p == null && aLocal) {
        p = remoteOnly(t, b, portB, nowNs);
      }
      if (p == null && isLocal(b, local)) {
        p = remoteOnly(t, a, portA, nowNs);
      }
      return p;
    }
  }

  /** The process of one end ({@code ip}, {@code port}): its connection, listener, or connect. */
  private ProcessRef side(
      int t, String ip, int port, String peerIp, int peerPort, Set<String> local, long nowNs) {
    ProcessRef p = connection(t, ip, port, peerIp, peerPort, local);
    if (p == null) {
      p = listener(t, ip, port, local);
    }
    if (p == null && isLocal(ip, local)) {
      p = remoteOnly(t, peerIp, peerPort, nowNs);
    }
    return p;
  }

  /**
   * The process that asked a DNS question from {@code client} to {@code server}, or null. When the
   * client is local the answer is the client's process or nothing, never the server's: a query from
   * an application to the host's own resolver (systemd-resolved on 127.0.0.53, a dnsmasq) belongs
   * to the application, whose socket is often known only by the audit connect, while the resolver's
   * listener is always known. When the client is elsewhere, the local process is the server
   * answering it. {@code local} as in {@link #processOf(Transport, String, int, String, int, long,
   * Set)}.
   */
  public ProcessRef querierOf(
      Transport transport,
      String clientIp,
      int clientPort,
      String serverIp,
      int serverPort,
      long nowNs,
      Set<String> local) {
    String c = IpText.canonical(clientIp);
    String s = IpText.canonical(serverIp);
    if (c == null || s == null) {
      return null;
    }
    int t = transport.getNumber();
    synchronized (this) {
      ProcessRef p = connection(t, c, clientPort, s, serverPort, local);
      if (p != null) {
        return p;
      }
      if (isLocal(c, local)) {
        return remoteOnly(t, s, serverPort, nowNs);
      }
      p = connection(t, s, serverPort, c, clientPort, local);
      return p != null ? p : listener(t, s, serverPort, local);
    }
  }

  /**
   * Whether the client end of traffic from {@code client} to {@code server} is local and its
   * process is not known yet (neither its connection nor its audit connect). {@link #processOf}
   * would then fall through to the server's listener, naming the wrong process when both ends are
   * on this host or in its namespaces: callers that can wait a moment for the client's audit record
   * ask this first. {@code local} as in {@link #processOf(Transport, String, int, String, int,
   * long, Set)}.
   */
  public boolean awaitsClient(
      Transport transport,
      String clientIp,
      int clientPort,
      String serverIp,
      int serverPort,
      long nowNs,
      Set<String> local) {
    String c = IpText.canonical(clientIp);
    String s = IpText.canonical(serverIp);
    if (c == null || s == null || !isLocal(c, local)) {
      return false;
    }
    int t = transport.getNumber();
    synchronized (this) {
      return connection(t, c, clientPort, s, serverPort, local) == null
          && remoteOnly(t, s, serverPort, nowNs) == null;
    }
  }

  /** This host's addresses as last given to {@link #localAddresses}, in canonical form. */
  public Set<String> localAddresses() {
    return localAddresses;
  }

  /** Entries held. */
  public synchronized int size() {
    return map.size();
  }

  private ProcessRef connection(
      int t, String localIp, int localPort, String remoteIp, int remotePort, Set<String> local) {
    Entry e = map.get(new Key(Kind.CONNECTION, t, localIp, localPort, remoteIp, remotePort));
    if (e == null && isLocal(localIp, local)) {
      // an accept on a wildcard listener reports the listener's address as the local one
      e = map.get(new Key(Kind.CONNECTION, t, ANY, localPort, remoteIp, remotePort));
    }
    return e == null ? null : e.process();
  }

  private ProcessRef listener(int t, String ip, int port, Set<String> local) {
    Entry e = map.get(new Key(Kind.LISTENER, t, ip, port, "", 0));
    if (e == null && isLocal(ip, local)) {
      e = map.get(new Key(Kind.LISTENER, t, ANY, port, "", 0));
    }
    return e == null ? null : e.process();
  }

  private ProcessRef remoteOnly(int t, String remoteIp, int remotePort, long nowNs) {
    Entry e = map.get(new Key(Kind.REMOTE_ONLY, t, "", 0, remoteIp, remotePort));
    if (e == null) {
      // audit may not know a connect's transport (socket created before the agent started)
      e =
          map.get(
              new Key(
                  Kind.REMOTE_ONLY,
                  Transport.TRANSPORT_UNSPECIFIED_VALUE,
                  "",
                  0,
                  remoteIp,
                  remotePort));
    }
    if (e == null || nowNs - e.timeNs() > REMOTE_ONLY_MAX_AGE_NS) {
      return null;
    }
    return e.process();
  }

  private synchronized void put(Key k, ProcessRef p, long nowNs) {
    map.put(k, new Entry(p, nowNs));
  }

  private synchronized void rememberRemoteOnly(Key k, ProcessRef p, long nowNs) {
    Entry old = map.get(k);
    boolean otherRecent =
        old != null
            && nowNs - old.timeNs() <= REMOTE_ONLY_MAX_AGE_NS
            && (old.process() == null || !sameProcess(old.process(), p));
    map.put(k, new Entry(otherRecent ? null : p, nowNs));
  }

  private static boolean sameProcess(ProcessRef x, ProcessRef y) {
    if (!x.getEntityId().isEmpty() || !y.getEntityId().isEmpty()) {
      return x.getEntityId().equals(y.getEntityId());
    }
    return x.getPid() == y.getPid();
  }

  /** In the set, or a loopback address (all of 127/8 is, though interfaces list 127.0.0.1 only). */
  private static boolean isLocal(String canonicalIp, Set<String> local) {
    return local.contains(canonicalIp)
        || canonicalIp.startsWith("127.")
        || canonicalIp.equals("::1");
  }

  /** Canonical text, {@code "*"} for a wildcard address, null when empty or not a literal. */
  private static String canonicalOrAny(String ip) {
    String c = IpText.canonical(ip);
    if (c == null) {
      return null;
    }
    return c.equals("0.0.0.0") || c.equals("::") ? ANY : c;
  }
}
