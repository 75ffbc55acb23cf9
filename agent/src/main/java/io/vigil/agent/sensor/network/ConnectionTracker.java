package io.vigil.agent.sensor.network;

import io.vigil.proto.v1.Transport;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * Remembers which sockets were already reported, so that each listening socket and each connection
 * is reported once: by a snapshot, or by audit before it. A snapshot's socket is known by its inode
 * and 5-tuple; an audited socket by its inode alone (audit does not give the local address), until
 * the next snapshot sees it. Sockets absent from a complete snapshot are forgotten.
 *
 * <p>Bounded: at most {@code maxTracked} snapshot keys and as many audited inodes. A socket that
 * does not fit is still reported but not remembered, so a later snapshot reports it again; {@link
 * #untracked} counts them. Thread-safe (the snapshot thread and the audit thread both call it).
 */
final class ConnectionTracker {
  record Key(
      long inode,
      Transport transport,
      String localIp,
      int localPort,
      String remoteIp,
      int remotePort) {
    static Key of(SocketEntry e) {
      return new Key(
          e.inode(), e.transport(), e.localIp(), e.localPort(), e.remoteIp(), e.remotePort());
    }
  }

  private final int maxTracked;
  private final long auditTtlNanos;
  private Set<Key> seen = new HashSet<>();

  /** Audited inodes not yet seen by a snapshot, with the monotonic time they were reported. */
  private final LinkedHashMap<Long, Long> audited = new LinkedHashMap<>();

  private long untracked;

  /**
   * @param maxTracked keys remembered at most, and audited inodes at most
   * @param auditTtlNanos how long an audited inode waits for a snapshot to see it (a socket that
   *     closed before any snapshot never shows up)
   */
  ConnectionTracker(int maxTracked, long auditTtlNanos) {
    if (maxTracked < 1) {
      throw new IllegalArgumentException("maxTracked must be positive: " + maxTracked);
    }
    this.maxTracked = maxTracked;
    this.auditTtlNanos = auditTtlNanos;
  }

  /** Audit reported the socket with this inode at monotonic time {@code nowNanos}. */
  synchronized void reportedByAudit(long inode, long nowNanos) {
    if (inode == 0) {
      return;
    }
    audited.remove(inode);
    if (audited.size() >= maxTracked) {
      Iterator<Long> oldest = audited.keySet().iterator();
      oldest.next();
      oldest.remove();
      untracked++;
    }
    audited.put(inode, nowNanos);
  }

  /**
   * The sockets of a snapshot that were not reported before, in snapshot order; remembers them.
   *
   * @param reportable the snapshot's listening sockets and connections
   * @param complete every dump of the snapshot succeeded, so absence means closed
   */
  synchronized List<SocketEntry> unreported(
      List<SocketEntry> reportable, boolean complete, long nowNanos) {
    Set<Key> next = new HashSet<>();
    List<SocketEntry> out = new ArrayList<>();
    for (SocketEntry e : reportable) {
      Key k = Key.of(e);
      boolean known = seen.contains(k) || next.contains(k) || audited.remove(e.inode()) != null;
      if (!known) {
        out.add(e);
      }
      if (next.size() < maxTracked) {
        next.add(k);
      } else if (!known) {
        untracked++;
      }
    }
    if (!complete) {
      for (Key k : seen) {
        if (next.size() >= maxTracked) {
          break;
        }
        next.add(k);
      }
    }
    seen = next;
    audited.entrySet().removeIf(a -> nowNanos - a.getValue() > auditTtlNanos);
    return out;
  }

  /** Sockets reported but not remembered because the tracker was full. */
  synchronized long untracked() {
    return untracked;
  }

  /** Snapshot keys and audited inodes currently remembered (for tests and metrics). */
  synchronized int size() {
    return seen.size() + audited.size();
  }
}
