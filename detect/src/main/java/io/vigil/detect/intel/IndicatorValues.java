package io.vigil.detect.intel;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Indicator values read from feeds, checked and normalised to the one form {@link IndicatorSet}
 * compares: canonical IPs, lower-case names, URLs with lower-case scheme and host. Stateless.
 */
final class IndicatorValues {
  /** Longest value accepted (a URL); longer ones are refused rather than cut. */
  static final int MAX_VALUE = 2048;

  private static final Pattern JA4 =
      Pattern.compile("[tqd][0-9a-z]{2}[din][0-9]{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}");
  private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9+.-]{0,31}");

  private IndicatorValues() {}

  /** A value checked for a type: {@code problem} is null when it is usable. */
  record Parsed(IndicatorType type, String value, String problem) {
    static Parsed ok(IndicatorType type, String value) {
      return new Parsed(type, value, null);
    }

    static Parsed bad(String problem) {
      return new Parsed(null, null, problem);
    }

    boolean ok() {
      return problem == null;
    }
  }

  /**
   * The value read as {@code type}; {@link IndicatorType#IP} and {@link IndicatorType#CIDR} both
   * accept either form (feeds put networks in "ip" columns and single hosts in CIDR ones).
   */
  static Parsed as(IndicatorType type, String raw) {
    String s = raw == null ? "" : raw.strip();
    if (s.isEmpty()) {
      return Parsed.bad("empty value");
    }
    if (s.length() > MAX_VALUE) {
      return Parsed.bad("value longer than " + MAX_VALUE + " characters");
    }
    return switch (type) {
      case IP, CIDR -> ipOrCidr(s);
      case DOMAIN -> domain(s, false);
      case URL -> url(s.contains("://") ? s : "http://" + s);
      case MD5, SHA1, SHA256, JA3, JA3S -> hex(type, s);
      case JA4 -> {
        String v = s.toLowerCase(Locale.ROOT);
        yield JA4.matcher(v).matches() ? Parsed.ok(type, v) : Parsed.bad("not a JA4 fingerprint");
      }
    };
  }

  /**
   * The type guessed from the value alone: IP, CIDR, URL (has a scheme), hash by length (32 hex is
   * MD5, so JA3 needs a declared type), JA4 by shape, else a domain if it is a dotted host name.
   */
  static Parsed detect(String raw) {
    String s = raw == null ? "" : raw.strip();
    if (s.isEmpty()) {
      return Parsed.bad("empty value");
    }
    if (s.length() > MAX_VALUE) {
      return Parsed.bad("value longer than " + MAX_VALUE + " characters");
    }
    Parsed ip = ipOrCidr(s);
    if (ip.ok()) {
      return ip;
    }
    int sep = s.indexOf("://");
    if (sep > 0 && SCHEME.matcher(s.substring(0, sep).toLowerCase(Locale.ROOT)).matches()) {
      return url(s);
    }
    if (isHex(s)) {
      switch (s.length()) {
        case 32:
          return Parsed.ok(IndicatorType.MD5, s.toLowerCase(Locale.ROOT));
        case 40:
          return Parsed.ok(IndicatorType.SHA1, s.toLowerCase(Locale.ROOT));
        case 64:
          return Parsed.ok(IndicatorType.SHA256, s.toLowerCase(Locale.ROOT));
        default:
          break;
      }
    }
    String lower = s.toLowerCase(Locale.ROOT);
    if (JA4.matcher(lower).matches()) {
      return Parsed.ok(IndicatorType.JA4, lower);
    }
    Parsed d = domain(s, true);
    return d.ok() ? d : Parsed.bad("not an IP, CIDR, URL, hash, JA4 fingerprint or domain name");
  }

  static Parsed ipOrCidr(String s) {
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    int len = -1;
    if (slash >= 0) {
      String l = s.substring(slash + 1);
      if (l.isEmpty() || l.length() > 3 || !l.chars().allMatch(c -> c >= '0' && c <= '9')) {
        return Parsed.bad("bad prefix length");
      }
      len = Integer.parseInt(l);
    }
    long v4 = IpAddress.parseV4(addr, 0, addr.length());
    if (v4 >= 0) {
      return v4Net(v4, len < 0 ? 32 : len);
    }
    long[] w = new long[2];
    if (addr.indexOf('%') >= 0 || !IpAddress.parseV6(addr, 0, addr.length(), w)) {
      return Parsed.bad("not an IP address");
    }
    int l6 = len < 0 ? 128 : len;
    if (l6 > 128) {
      return Parsed.bad("prefix length over 128");
    }
    if (IpAddress.isV4Mapped(w[0], w[1]) && l6 >= 96) {
      return v4Net(w[1] & 0xFFFFFFFFL, l6 - 96);
    }
    if (l6 == 128) {
      return Parsed.ok(IndicatorType.IP, IpAddress.formatV6(w[0], w[1]));
    }
    return Parsed.ok(
        IndicatorType.CIDR,
        IpAddress.formatV6(w[0] & IpAddress.maskHi(l6), w[1] & IpAddress.maskLo(l6)) + "/" + l6);
  }

  private static Parsed v4Net(long a, int len) {
    if (len > 32) {
      return Parsed.bad("prefix length over 32");
    }
    if (len == 32) {
      return Parsed.ok(IndicatorType.IP, IpAddress.formatV4(a));
    }
    return Parsed.ok(IndicatorType.CIDR, IpAddress.formatV4(a & IpAddress.maskV4(len)) + "/" + len);
  }

  /**
   * A host name: lower-case, no trailing dot, a leading {@code *.} dropped (subdomains match
   * anyway); letters of any script (IDN kept as given), digits, '-' and '_'. {@code strict} (for a
   * guessed type) wants a dot and a last label that is not all digits.
   */
  static Parsed domain(String s, boolean strict) {
    String d = s.toLowerCase(Locale.ROOT);
    if (d.startsWith("*.")) {
      d = d.substring(2);
    }
    if (d.endsWith(".")) {
      d = d.substring(0, d.length() - 1);
    }
    if (d.isEmpty() || d.length() > 253) {
      return Parsed.bad("not a domain name (length)");
    }
    int labelStart = 0;
    for (int i = 0; i <= d.length(); i++) {
      if (i == d.length() || d.charAt(i) == '.') {
        int n = i - labelStart;
        if (n == 0 || n > 63) {
          return Parsed.bad("not a domain name (empty or long label)");
        }
        labelStart = i + 1;
        continue;
      }
      char c = d.charAt(i);
      if (!(Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
        return Parsed.bad("not a domain name (character)");
      }
    }
    if (strict) {
      int dot = d.lastIndexOf('.');
      if (dot < 0 || d.substring(dot + 1).chars().allMatch(Character::isDigit)) {
        return Parsed.bad("not a domain name");
      }
    }
    return Parsed.ok(IndicatorType.DOMAIN, d);
  }

  /**
   * A URL: scheme and host lower-case, an IP host canonical, the scheme's default port dropped, an
   * empty path as "/", the fragment dropped; path and query kept as they are.
   */
  static Parsed url(String s) {
    int sep = s.indexOf("://");
    if (sep <= 0) {
      return Parsed.bad("not a URL");
    }
    String scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
    if (!SCHEME.matcher(scheme).matches()) {
      return Parsed.bad("not a URL (scheme)");
    }
    int hash = s.indexOf('#', sep + 3);
    String rest = hash < 0 ? s.substring(sep + 3) : s.substring(sep + 3, hash);
    int end = 0;
    while (end < rest.length() && "/?".indexOf(rest.charAt(end)) < 0) {
      end++;
    }
    String authority = rest.substring(0, end);
    String path = rest.substring(end);
    if (path.isEmpty() || path.charAt(0) == '?') {
      path = "/" + path;
    }
    int at = authority.lastIndexOf('@');
    String userinfo = at < 0 ? "" : authority.substring(0, at + 1);
    String hostPort = authority.substring(at + 1);
    String host = hostPort;
    String port = "";
    if (hostPort.startsWith("[")) {
      int close = hostPort.indexOf(']');
      if (close < 0) {
        return Parsed.bad("not a URL (host)");
      }
      host = hostPort.substring(1, close);
      String after = hostPort.substring(close + 1);
      if (!after.isEmpty() && !after.startsWith(":")) {
        return Parsed.bad("not a URL (port)");
      }
      port = after.isEmpty() ? "" : after.substring(1);
    } else {
      int colon = hostPort.lastIndexOf(':');
      if (colon >= 0) {
        host = hostPort.substring(0, colon);
        port = hostPort.substring(colon + 1);
      }
    }
    if (!port.chars().allMatch(c -> c >= '0' && c <= '9') || port.length() > 5) {
      return Parsed.bad("not a URL (port)");
    }
    String canonicalHost = urlHost(host);
    if (canonicalHost == null) {
      return Parsed.bad("not a URL (host)");
    }
    if (port.equals(defaultPort(scheme))) {
      port = "";
    }
    String v =
        scheme + "://" + userinfo + canonicalHost + (port.isEmpty() ? "" : ":" + port) + path;
    return v.length() > MAX_VALUE
        ? Parsed.bad("value longer than " + MAX_VALUE + " characters")
        : Parsed.ok(IndicatorType.URL, v);
  }

  /** The host of a URL as it is written in the normalised URL, or null. */
  static String urlHost(String host) {
    Parsed ip = ipOrCidr(host);
    if (ip.ok() && ip.type() == IndicatorType.IP) {
      return ip.value().indexOf(':') >= 0 ? "[" + ip.value() + "]" : ip.value();
    }
    Parsed d = domain(host, false);
    return d.ok() ? d.value() : null;
  }

  private static String defaultPort(String scheme) {
    return switch (scheme) {
      case "http", "ws" -> "80";
      case "https", "wss" -> "443";
      case "ftp" -> "21";
      default -> "";
    };
  }

  private static Parsed hex(IndicatorType type, String s) {
    int want =
        switch (type) {
          case SHA1 -> 40;
          case SHA256 -> 64;
          default -> 32;
        };
    if (s.length() != want) {
      return Parsed.bad(type + " is " + want + " hex digits, not " + s.length() + " characters");
    }
    if (!isHex(s)) {
      return Parsed.bad(type + " is hex digits");
    }
    return Parsed.ok(type, s.toLowerCase(Locale.ROOT));
  }

  private static boolean isHex(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
        return false;
      }
    }
    return !s.isEmpty();
  }
}
