package io.vigil.agent.packet.dns;

import io.vigil.agent.packet.IpText;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Address to hostname, learnt from DNS responses, so that connection and flow events can name their
 * destination. For every A or AAAA answer that belongs to the question (its owner is the question
 * name or reached from it through the CNAME chain in the same answer section), the address maps to
 * the question name as the client asked it: connecting to the address of {@code www.example.com} (a
 * CNAME to {@code cdn.provider.net}) is reported as {@code www.example.com}. The latest response
 * wins when names share an address.
 *
 * <p>An entry lives from the response's time for the record's TTL, but at least {@link #MIN_TTL_NS}
 * (60 s: clients keep using an address for a while after short TTLs expire, and connections often
 * start just after a 0-30 s TTL) and at most {@link #MAX_TTL_NS} (24 h: a hostile server must not
 * pin a name forever). The cache holds at most {@code maxEntries} addresses, dropping the least
 * recently used. Times are packet time on the writer's side and the reader's clock on the other,
 * which agree in live capture.
 *
 * <p>Thread-safe: the capture thread writes and the connection sensor's thread reads. One lock
 * (this object's monitor) guards an access-ordered {@link LinkedHashMap}: a read moves the entry
 * (LRU), so reads are writes too, and both sides are per DNS response or per connection event, far
 * below the rate where a lock matters; a concurrent map would not give LRU order.
 */
public final class DnsAnswerCache {
  /** Floor of an entry's lifetime. */
  public static final long MIN_TTL_NS = 60_000_000_000L;

  /** Cap of an entry's lifetime. */
  public static final long MAX_TTL_NS = 86_400_000_000_000L;

  /** Default bound on addresses held. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  private static final int MAX_CHAIN = 16;

  private record Entry(String hostname, long expiresNs) {}

  private final LinkedHashMap<String, Entry> map;

  /** A cache of {@link #DEFAULT_MAX_ENTRIES}. */
  public DnsAnswerCache() {
    this(DEFAULT_MAX_ENTRIES);
  }

  /** A cache holding at most maxEntries addresses (at least 1). */
  public DnsAnswerCache(int maxEntries) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be positive");
    }
    this.map =
        new LinkedHashMap<>(Math.min(maxEntries, 1024) * 2, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > maxEntries;
          }
        };
  }

  /**
   * Learns the addresses of a response to its first question (see the class comment); queries and
   * answers outside the question's CNAME chain are ignored.
   */
  public void learn(DnsMessage response, long nowNs) {
    learn(response, null, nowNs);
  }

  /**
   * As {@link #learn(DnsMessage, long)}, naming the addresses {@code askedName} (the matched
   * query's question name, in the case the client sent: servers may change the case) when non-null.
   */
  public void learn(DnsMessage response, String askedName, long nowNs) {
    if (!response.isResponse() || response.answers().isEmpty()) {
      return;
    }
    DnsQuestion q = response.question();
    List<String> chain = q == null ? List.of() : chain(q.name(), response.answers());
    String hostname = askedName != null ? askedName : q == null ? null : q.name();
    synchronized (this) {
      for (DnsResourceRecord r : response.answers()) {
        if ((r.type() != 1 && r.type() != 28) || IpText.parse(r.data()) == null) {
          continue; // not an address, or data that was not one (shown as hex)
        }
        String name;
        if (q == null) {
          name = r.name(); // mDNS announcements carry no question: each owner names itself
        } else if (chain.contains(r.name().toLowerCase(Locale.ROOT))) {
          name = hostname;
        } else {
          continue;
        }
        long ttlNs = Math.min(r.ttl(), MAX_TTL_NS / 1_000_000_000L) * 1_000_000_000L;
        long life = Math.max(MIN_TTL_NS, Math.min(MAX_TTL_NS, ttlNs));
        map.put(r.data(), new Entry(name, nowNs + life));
      }
    }
  }

  /** The question name and the CNAME targets reached from it, lower case, at most MAX_CHAIN. */
  private static List<String> chain(String question, List<DnsResourceRecord> answers) {
    List<String> chain = new ArrayList<>(4);
    chain.add(question.toLowerCase(Locale.ROOT));
    // CNAMEs may come in any order; each pass follows at most one more link.
    for (int pass = 0; pass < MAX_CHAIN; pass++) {
      boolean grew = false;
      for (DnsResourceRecord r : answers) {
        if (r.type() == 5 && chain.size() < MAX_CHAIN) {
          String target = r.data().toLowerCase(Locale.ROOT);
          if (chain.contains(r.name().toLowerCase(Locale.ROOT)) && !chain.contains(target)) {
            chain.add(target);
            grew = true;
          }
        }
      }
      if (!grew) {
        break;
      }
    }
    return chain;
  }

  /** The hostname of the address {@code addr[0, addrLen)} (4 or 16 bytes), or null. */
  public String hostnameFor(byte[] addr, int addrLen, long nowNs) {
    String ip = IpText.format(addr, 0, addrLen);
    return ip == null ? null : lookup(ip, nowNs);
  }

  /** The hostname of an address given as text (any valid spelling), or null. */
  public String hostnameFor(String ip, long nowNs) {
    String canonical = IpText.canonical(ip);
    return canonical == null ? null : lookup(canonical, nowNs);
  }

  /**
   * The hostname of an address already in the canonical text {@link IpText#format} writes (as flow
   * records hold it), or null: the lookup without parsing and re-formatting the address, which was
   * a tenth of offline mode's time on a capture of many short flows.
   */
  public String hostnameForCanonical(String canonicalIp, long nowNs) {
    return lookup(canonicalIp, nowNs);
  }

  /** Addresses held (expired ones included until they are looked up or pushed out). */
  public synchronized int size() {
    return map.size();
  }

  private synchronized String lookup(String ip, long nowNs) {
    Entry e = map.get(ip);
    if (e == null) {
      return null;
    }
    if (nowNs >= e.expiresNs()) {
      map.remove(ip);
      return null;
    }
    return e.hostname();
  }
}
