package io.vigil.detect.intel;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.ProcessExec;
import io.vigil.proto.v1.TlsEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Indicators prepared for matching every event: IPs and networks in prefix tables (every network
 * containing an address hits, most specific first), names and hashes in case-folding tables, a
 * domain matching itself and every name below it. Immutable and safe for any number of threads
 * calling {@link #match} at once; a lookup that finds nothing allocates nothing.
 */
public final class IndicatorSet {
  private static final IndicatorSet EMPTY = new IndicatorSet(List.of());

  /** Per-thread scratch for IPv6 parsing (two words), so lookups do not allocate. */
  private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[2]);

  private final List<Indicator> all;
  private final Map<IndicatorType, Integer> counts;
  private final PrefixTable v4;
  private final PrefixTable v6;
  private final NameTable domains;
  private final NameTable urlHosts;
  private final Map<String, Indicator[]> urls;
  private final NameTable md5;
  private final NameTable sha1;
  private final NameTable sha256;
  private final NameTable ja3;
  private final NameTable ja3s;
  private final NameTable ja4;

  private IndicatorSet(List<Indicator> indicators) {
    // The same value from the same source with the same id is one indicator, whatever repeats it.
    Map<List<Object>, Indicator> unique = new LinkedHashMap<>();
    for (Indicator i : indicators) {
      unique.putIfAbsent(List.of(i.type(), i.value(), i.source(), i.id(), i.allOf()), i);
    }
    all = List.copyOf(unique.values());
    Map<IndicatorType, Integer> c = new EnumMap<>(IndicatorType.class);
    Map<PrefixTable.Net, List<Indicator>> nets4 = new HashMap<>();
    Map<PrefixTable.Net, List<Indicator>> nets6 = new HashMap<>();
    Map<IndicatorType, Map<String, List<Indicator>>> names = new EnumMap<>(IndicatorType.class);
    Map<String, List<Indicator>> hosts = new HashMap<>();
    Map<String, List<Indicator>> urlMap = new HashMap<>();
    long[] w = new long[2];
    for (Indicator i : all) {
      c.merge(i.type(), 1, Integer::sum);
      switch (i.type()) {
        case IP, CIDR -> {
          String v = i.value();
          int slash = v.indexOf('/');
          String addr = slash < 0 ? v : v.substring(0, slash);
          long a = IpAddress.parseV4(addr, 0, addr.length());
          if (a >= 0) {
            int len = slash < 0 ? 32 : Integer.parseInt(v.substring(slash + 1));
            nets4.computeIfAbsent(new PrefixTable.Net(0, a, len), k -> new ArrayList<>()).add(i);
          } else if (IpAddress.parseV6(addr, 0, addr.length(), w)) {
            int len = slash < 0 ? 128 : Integer.parseInt(v.substring(slash + 1));
            nets6
                .computeIfAbsent(new PrefixTable.Net(w[0], w[1], len), k -> new ArrayList<>())
                .add(i);
          } else {
            throw new IllegalArgumentException("not a normalised IP indicator: " + v);
          }
        }
        case URL -> {
          urlMap.computeIfAbsent(i.value(), k -> new ArrayList<>()).add(i);
          hosts.computeIfAbsent(urlHost(i.value()), k -> new ArrayList<>()).add(i);
        }
        default ->
            names
                .computeIfAbsent(i.type(), t -> new HashMap<>())
                .computeIfAbsent(i.value(), k -> new ArrayList<>())
                .add(i);
      }
    }
    counts = Collections.unmodifiableMap(c);
    v4 = new PrefixTable(true, nets4);
    v6 = new PrefixTable(false, nets6);
    domains = table(names, IndicatorType.DOMAIN);
    urlHosts = new NameTable(hosts);
    Map<String, Indicator[]> u = new HashMap<>();
    urlMap.forEach((k, v) -> u.put(k, v.toArray(new Indicator[0])));
    urls = Map.copyOf(u);
    md5 = table(names, IndicatorType.MD5);
    sha1 = table(names, IndicatorType.SHA1);
    sha256 = table(names, IndicatorType.SHA256);
    ja3 = table(names, IndicatorType.JA3);
    ja3s = table(names, IndicatorType.JA3S);
    ja4 = table(names, IndicatorType.JA4);
  }

  /** A set of normalised indicators (as the loaders make them); duplicates are kept once. */
  public static IndicatorSet of(List<Indicator> indicators) {
    return indicators.isEmpty() ? EMPTY : new IndicatorSet(indicators);
  }

  public static IndicatorSet empty() {
    return EMPTY;
  }

  public int size() {
    return all.size();
  }

  /** Every indicator, in load order. */
  public List<Indicator> indicators() {
    return all;
  }

  public Map<IndicatorType, Integer> countsByType() {
    return counts;
  }

  /**
   * The indicators the event carries, each with the field and value it was found in; an empty
   * shared list when none. A part of an AND pattern hits only when every part of it matched this
   * event.
   */
  public List<IntelHit> match(Event e) {
    if (all.isEmpty()) {
      return List.of();
    }
    List<IntelHit> hits = null;
    switch (e.getPayloadCase()) {
      case CONNECTION -> {
        hits = ip(hits, e.getConnection().getSourceIp(), "SourceIp");
        hits = ip(hits, e.getConnection().getDestinationIp(), "DestinationIp");
      }
      case FLOW -> {
        hits = ip(hits, e.getFlow().getSourceIp(), "SourceIp");
        hits = ip(hits, e.getFlow().getDestinationIp(), "DestinationIp");
      }
      case DNS -> {
        DnsEvent d = e.getDns();
        hits = domain(hits, d.getQueryName(), "QueryName");
        for (int k = 0; k < d.getAnswersCount(); k++) {
          hits = ip(hits, d.getAnswers(k), "QueryResults");
        }
      }
      case TLS -> {
        TlsEvent t = e.getTls();
        hits = domain(hits, t.getServerName(), "DestinationHostname");
        hits = name(hits, ja3, t.getJa3(), "Ja3");
        hits = name(hits, ja3s, t.getJa3S(), "Ja3s");
        hits = name(hits, ja4, t.getJa4(), "Ja4");
      }
      case HTTP -> {
        HttpEvent h = e.getHttp();
        hits = domain(hits, h.getHost(), "DestinationHostname");
        hits = url(hits, h);
      }
      case PROCESS_EXEC -> {
        ProcessExec p = e.getProcessExec();
        hits = name(hits, md5, p.getMd5(), "Hashes/md5");
        hits = name(hits, sha1, p.getSha1(), "Hashes/sha1");
        hits = name(hits, sha256, p.getSha256(), "Hashes/sha256");
      }
      case FILE -> {
        // The hashes of a new executable or an integrity change, named as for a process.
        FileEvent f = e.getFile();
        hits = name(hits, md5, f.getMd5(), "Hashes/md5");
        hits = name(hits, sha1, f.getSha1(), "Hashes/sha1");
        hits = name(hits, sha256, f.getSha256(), "Hashes/sha256");
      }
      default -> {}
    }
    return hits == null ? List.of() : complete(hits);
  }

  private List<IntelHit> ip(List<IntelHit> hits, String s, String field) {
    if (s.isEmpty()) {
      return hits;
    }
    long a = IpAddress.parseV4(s, 0, s.length());
    if (a >= 0) {
      return v4Hits(hits, a, s, field);
    }
    if (v6.isEmpty() && v4.isEmpty()) {
      return hits;
    }
    long[] w = SCRATCH.get();
    if (!IpAddress.parseV6(s, 0, s.length(), w)) {
      return hits;
    }
    if (IpAddress.isV4Mapped(w[0], w[1])) {
      return v4Hits(hits, w[1] & 0xFFFFFFFFL, s, field);
    }
    for (int len : v6.lengths()) {
      hits = add(hits, v6.get(w[0], w[1], len), field, s);
    }
    return hits;
  }

  private List<IntelHit> v4Hits(List<IntelHit> hits, long a, String s, String field) {
    for (int len : v4.lengths()) {
      hits = add(hits, v4.get(0, a, len), field, s);
    }
    return hits;
  }

  /** The name and each parent domain of it (a.b.evil.com, b.evil.com, evil.com, com). */
  private List<IntelHit> domain(List<IntelHit> hits, String s, String field) {
    if (domains.isEmpty() || s.isEmpty()) {
      return hits;
    }
    int end = hostEnd(s);
    int from = 0;
    while (from < end) {
      hits = add(hits, domains.get(s, from, end), field, s);
      int dot = s.indexOf('.', from);
      if (dot < 0 || dot >= end) {
        break;
      }
      from = dot + 1;
    }
    return hits;
  }

  /** Where a host name ends: before a port (Host header) and a trailing dot. */
  private static int hostEnd(String s) {
    if (s.charAt(0) == '[') {
      return 0; // a bracketed IPv6 literal is not a name
    }
    int end = s.length();
    int colon = s.indexOf(':');
    if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
      end = colon;
    }
    if (end > 0 && s.charAt(end - 1) == '.') {
      end--;
    }
    return end;
  }

  /**
   * The request's URL, {@code http://host+uri}, looked up only when its host is the host of some
   * URL indicator (so the URL is only built then).
   */
  private List<IntelHit> url(List<IntelHit> hits, HttpEvent h) {
    String host = h.getHost();
    if (urls.isEmpty() || host.isEmpty()) {
      return hits;
    }
    String uri = h.getUri();
    int end = hostEnd(host);
    boolean absolute = uri.startsWith("http://") || uri.startsWith("https://");
    if (!absolute && (end == 0 || urlHosts.get(host, 0, end) == null)) {
      return hits;
    }
    String raw = absolute ? uri : "http://" + host + (uri.startsWith("/") ? uri : "/" + uri);
    IndicatorValues.Parsed p = IndicatorValues.url(raw);
    if (!p.ok()) {
      return hits;
    }
    return add(hits, urls.get(p.value()), "Url", raw);
  }

  private static List<IntelHit> name(List<IntelHit> hits, NameTable t, String s, String field) {
    if (t.isEmpty() || s.isEmpty()) {
      return hits;
    }
    return add(hits, t.get(s, 0, s.length()), field, s);
  }

  private static List<IntelHit> add(
      List<IntelHit> hits, Indicator[] found, String field, String value) {
    if (found == null) {
      return hits;
    }
    List<IntelHit> out = hits == null ? new ArrayList<>(2) : hits;
    for (Indicator i : found) {
      out.add(new IntelHit(i, field, value));
    }
    return out;
  }

  /** Drops the parts of AND patterns whose other parts did not match this event. */
  private static List<IntelHit> complete(List<IntelHit> hits) {
    boolean any = false;
    for (IntelHit h : hits) {
      any |= h.indicator().allOf().size() > 1;
    }
    if (!any) {
      return List.copyOf(hits);
    }
    Map<List<String>, Set<Indicator>> matched = new HashMap<>();
    for (IntelHit h : hits) {
      Indicator i = h.indicator();
      if (i.allOf().size() > 1) {
        matched.computeIfAbsent(List.of(i.source(), i.allOf().key()), k -> new HashSet<>()).add(i);
      }
    }
    List<IntelHit> out = new ArrayList<>();
    for (IntelHit h : hits) {
      Indicator i = h.indicator();
      if (i.allOf().size() <= 1
          || matched.get(List.of(i.source(), i.allOf().key())).size() >= i.allOf().size()) {
        out.add(h);
      }
    }
    return List.copyOf(out);
  }

  private static NameTable table(
      Map<IndicatorType, Map<String, List<Indicator>>> names, IndicatorType t) {
    return new NameTable(names.getOrDefault(t, Map.of()));
  }

  /** The host of a normalised URL, without port or brackets. */
  static String urlHost(String url) {
    int start = url.indexOf("://") + 3;
    int end = start;
    while (end < url.length() && url.charAt(end) != '/') {
      end++;
    }
    String auth = url.substring(start, end);
    auth = auth.substring(auth.lastIndexOf('@') + 1);
    if (auth.startsWith("[")) {
      return auth.substring(1, auth.indexOf(']'));
    }
    int colon = auth.lastIndexOf(':');
    return colon < 0 ? auth : auth.substring(0, colon);
  }
}
