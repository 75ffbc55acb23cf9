package io.vigil.collector.trust;

import io.vigil.collector.store.TrustStore.CertificateRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The agent certificates this collector issued that are still valid, in memory: loaded from the
 * store at start and added to at every enrolment and renewal, so that authenticating a stream never
 * waits behind a store write. Also which of an agent's certificates may still be used.
 *
 * <p>Each certificate has a rank (the order it was issued in). Per agent this keeps the highest
 * rank that has authenticated a stream: a certificate ranked below it was replaced by a renewal and
 * is refused from then on, so a copy of an old key dies as soon as the agent has used its new one.
 * That mark lives in memory only; at start it is set to the agent's second newest certificate, so
 * after a restart only the newest and the one before it are accepted (the one before: the agent may
 * not have received or stored its newest, e.g. the answer was lost). Persisting the mark would need
 * a schema change for a window that closes when the agent reconnects, which it does at once after
 * the restart broke its stream.
 *
 * <p>Thread-safe: the serial map is concurrent, each agent's list is guarded by its own lock.
 */
final class IssuedCertificates {
  /** A certificate as held here; {@code rank} orders an agent's certificates. */
  record Cert(String serialHex, String agentId, long issuedNs, long notAfterNs, long rank) {}

  private final Map<String, Cert> bySerial = new ConcurrentHashMap<>();
  private final Map<String, AgentCerts> byAgent = new ConcurrentHashMap<>();
  private final AtomicLong nextRank = new AtomicLong();

  /** An agent's certificates, oldest first, and the highest rank that authenticated a stream. */
  private static final class AgentCerts {
    final List<Cert> certs = new ArrayList<>();
    long usedRank = Long.MIN_VALUE;
  }

  /**
   * From the store's rows, oldest issued first; each agent's mark starts at its second newest
   * certificate (see the class comment).
   */
  static IssuedCertificates load(List<CertificateRow> rows) {
    IssuedCertificates out = new IssuedCertificates();
    Map<String, List<Cert>> perAgent = new HashMap<>();
    for (CertificateRow r : rows) {
      Cert c = out.put(r);
      perAgent.computeIfAbsent(c.agentId(), k -> new ArrayList<>()).add(c);
    }
    perAgent.forEach(
        (agent, certs) -> {
          AgentCerts a = out.byAgent.get(agent);
          synchronized (a) {
            a.usedRank = certs.get(Math.max(0, certs.size() - 2)).rank();
          }
        });
    return out;
  }

  /** The certificate with this serial, if held here. Memory only. */
  Optional<Cert> find(String serialHex) {
    return Optional.ofNullable(bySerial.get(serialHex));
  }

  /**
   * Adds a certificate just recorded in the store (it ranks above every one held for its agent) and
   * drops that agent's certificates that expired before {@code nowNs}.
   */
  Cert add(CertificateRow row, long nowNs) {
    Cert c = put(row);
    AgentCerts a = byAgent.get(c.agentId());
    synchronized (a) {
      a.certs.removeIf(
          old -> {
            boolean expired = old.notAfterNs() <= nowNs;
            if (expired) {
              bySerial.remove(old.serialHex());
            }
            return expired;
          });
    }
    return c;
  }

  /**
   * Marks {@code c} as used by a stream, unless a newer certificate of its agent already was.
   *
   * @return false when {@code c} was replaced by a renewal
   */
  boolean use(Cert c) {
    AgentCerts a = byAgent.get(c.agentId());
    synchronized (a) {
      if (c.rank() < a.usedRank) {
        return false;
      }
      a.usedRank = c.rank();
      return true;
    }
  }

  /** Whether a newer certificate of the same agent has been used since {@code serialHex}. */
  boolean replaced(String serialHex) {
    Cert c = bySerial.get(serialHex);
    if (c == null) {
      return false; // dropped only once expired, which is refused on its own
    }
    AgentCerts a = byAgent.get(c.agentId());
    synchronized (a) {
      return c.rank() < a.usedRank;
    }
  }

  /** The agent's newest certificate, if it has one held here. */
  Optional<Cert> newest(String agentId) {
    AgentCerts a = byAgent.get(agentId);
    if (a == null) {
      return Optional.empty();
    }
    synchronized (a) {
      return a.certs.isEmpty() ? Optional.empty() : Optional.of(a.certs.get(a.certs.size() - 1));
    }
  }

  private Cert put(CertificateRow r) {
    AgentCerts a = byAgent.computeIfAbsent(r.agentId(), k -> new AgentCerts());
    Cert c;
    synchronized (a) {
      Cert known = bySerial.get(r.serialHex());
      if (known != null) {
        return known; // two streams looked the same serial up in the store at once
      }
      // Ranked under the agent's lock, so that its list stays in rank order.
      c =
          new Cert(
              r.serialHex(), r.agentId(), r.issuedNs(), r.notAfterNs(), nextRank.getAndIncrement());
      a.certs.add(c);
      bySerial.put(c.serialHex(), c);
    }
    return c;
  }
}
