package io.vigil.common.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A validated {@code host:port}. The host is a DNS name, an IPv4 literal or a bracketed IPv6
 * literal ({@code [::1]:9464}); {@link #host()} holds IPv6 without brackets. Immutable.
 *
 * @param host name or address literal, at most 253 characters
 * @param port 0 to 65535 (0 means "any free port" for a listener)
 */
public record HostPort(String host, int port) {
  private static final Pattern NAME =
      Pattern.compile("[A-Za-z0-9_]([A-Za-z0-9_-]{0,62})(\\.[A-Za-z0-9_-]{1,63})*\\.?");
  private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
  private static final Pattern IPV6 = Pattern.compile("[0-9a-fA-F:.]{2,45}");

  public HostPort {
    if (!isValidHost(host)) {
      throw new IllegalArgumentException("invalid host: " + host);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("invalid port: " + port);
    }
  }

  /**
   * Parses {@code host:port} or {@code [v6]:port}.
   *
   * @throws IllegalArgumentException when malformed
   */
  public static HostPort parse(String text) {
    String t = text.trim();
    String host;
    String port;
    if (t.startsWith("[")) {
      int close = t.indexOf(']');
      if (close < 0 || close + 1 >= t.length() || t.charAt(close + 1) != ':') {
        throw new IllegalArgumentException("malformed [ipv6]:port: " + text);
      }
      host = t.substring(1, close);
      port = t.substring(close + 2);
      if (!IPV6.matcher(host).matches() || host.indexOf(':') < 0) {
        throw new IllegalArgumentException("invalid IPv6 literal: " + host);
      }
    } else {
      int colon = t.lastIndexOf(':');
      if (colon <= 0 || t.indexOf(':') != colon) {
        throw new IllegalArgumentException("expected host:port: " + text);
      }
      host = t.substring(0, colon);
      port = t.substring(colon + 1);
    }
    if (!port.matches("\\d{1,5}")) {
      throw new IllegalArgumentException("invalid port: " + port);
    }
    return new HostPort(host, Integer.parseInt(port));
  }

  /** Whether {@code host} is a DNS name, an IPv4 literal or an IPv6 literal (no brackets). */
  public static boolean isValidHost(String host) {
    if (host == null || host.isEmpty() || host.length() > 253) {
      return false;
    }
    if (host.indexOf(':') >= 0) {
      return IPV6.matcher(host).matches() && literal(host) != null;
    }
    if (IPV4.matcher(host).matches()) {
      for (String octet : host.split("\\.")) {
        if (Integer.parseInt(octet) > 255) {
          return false;
        }
      }
      return true;
    }
    return NAME.matcher(host).matches();
  }

  /**
   * Whether the host is {@code localhost} or a loopback literal (127.0.0.0/8, ::1). Names other
   * than localhost count as remote: checking them would need a DNS lookup at load time.
   */
  public boolean isLoopback() {
    if (host.toLowerCase(Locale.ROOT).equals("localhost")) {
      return true;
    }
    if (host.indexOf(':') >= 0 || IPV4.matcher(host).matches()) {
      InetAddress a = literal(host);
      return a != null && a.isLoopbackAddress();
    }
    return false;
  }

  /**
   * Parses an address literal. Callers pass only text that {@link #isValidHost} accepted as a
   * literal, which {@link InetAddress#getByName} parses without a DNS lookup.
   */
  private static InetAddress literal(String host) {
    try {
      return InetAddress.getByName(host);
    } catch (UnknownHostException e) {
      return null;
    }
  }

  @Override
  public String toString() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }
}
