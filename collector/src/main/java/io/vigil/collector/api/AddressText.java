package io.vigil.collector.api;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks of the address arguments of commands at the collector, for an early clear error (the agent
 * checks them again): IP literals and CIDR networks only, never names (resolving one would need
 * DNS, which isolation may cut, and would let a name's owner choose the address), and the isolation
 * exception syntax of the agent's {@code isolation.allow}. Stateless.
 */
final class AddressText {
  /** Longest address or exception text accepted. */
  static final int MAX_CHARS = 128;

  private static final Pattern IPV4 =
      Pattern.compile(
          "(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
  private static final Pattern CIDR = Pattern.compile("([^/\\s]+)(?:/(\\d{1,3}))?");
  private static final Pattern EXCEPTION =
      Pattern.compile("([^\\s/]+)(?:/(\\d{1,3}))?(?:\\s+(tcp|udp)/(\\d{1,5}))?");

  private AddressText() {}

  /**
   * Checks an IPv4 or IPv6 address, or a network in CIDR notation, as Block and Unblock take.
   *
   * @throws IllegalArgumentException naming {@code field}
   */
  static void ipOrCidr(String field, String text) {
    bounded(field, text);
    Matcher m = CIDR.matcher(text);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field + ": \"" + shown(text) + "\" is not an IP address or ADDRESS/PREFIX network");
    }
    int bits = literal(field, m.group(1), text).getAddress().length * 8;
    if (m.group(2) != null) {
      int prefix = Integer.parseInt(m.group(2));
      if (prefix > bits) {
        throw new IllegalArgumentException(
            field
                + ": \""
                + shown(text)
                + "\": prefix /"
                + prefix
                + " is longer than "
                + bits
                + " bits");
      }
      if (prefix == 0) {
        throw new IllegalArgumentException(
            field + ": \"" + shown(text) + "\" is every address; use isolate to cut a host off");
      }
    }
  }

  /**
   * Checks one isolation exception: {@code ADDRESS[/PREFIX] [tcp|udp/PORT]}, {@code * tcp|udp/PORT}
   * or {@code dhcp} (the agent's {@code IsolationException} syntax).
   *
   * @throws IllegalArgumentException naming {@code field}
   */
  static void isolationException(String field, String text) {
    bounded(field, text);
    String t = text.trim();
    if (t.toLowerCase(Locale.ROOT).equals("dhcp")) {
      return;
    }
    Matcher m = EXCEPTION.matcher(t);
    if (!m.matches()) {
      throw new IllegalArgumentException(
          field
              + ": \""
              + shown(text)
              + "\" is not ADDRESS[/PREFIX] [tcp|udp/PORT], * tcp|udp/PORT or dhcp");
    }
    if (m.group(1).equals("*")) {
      if (m.group(2) != null || m.group(4) == null) {
        throw new IllegalArgumentException(
            field + ": \"" + shown(text) + "\": * takes no prefix and needs a port (* udp/53)");
      }
    } else {
      int bits = literal(field, m.group(1), text).getAddress().length * 8;
      if (m.group(2) != null && Integer.parseInt(m.group(2)) > bits) {
        throw new IllegalArgumentException(
            field + ": \"" + shown(text) + "\": the prefix is longer than " + bits + " bits");
      }
    }
    if (m.group(4) != null) {
      int port = Integer.parseInt(m.group(4));
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            field + ": \"" + shown(text) + "\": port " + port + " is not 1-65535");
      }
    }
  }

  /** An IP literal, parsed without any name lookup. */
  private static InetAddress literal(String field, String s, String text) {
    boolean v4 = IPV4.matcher(s).matches();
    boolean v6 = s.contains(":") && s.matches("[0-9a-fA-F:.]+");
    if (!v4 && !v6) {
      throw new IllegalArgumentException(
          field
              + ": \""
              + shown(text)
              + "\": \""
              + shown(s)
              + "\" is not an IPv4 or IPv6 address (names are not allowed)");
    }
    try {
      // A literal with a colon or a dotted quad: getByName parses it and looks nothing up.
      return InetAddress.getByName(s);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(
          field + ": \"" + shown(text) + "\": \"" + shown(s) + "\" is not an IP address");
    }
  }

  private static void bounded(String field, String text) {
    if (text.isEmpty()) {
      throw new IllegalArgumentException(field + ": missing");
    }
    if (text.length() > MAX_CHARS) {
      throw new IllegalArgumentException(field + ": longer than " + MAX_CHARS + " characters");
    }
  }

  static String shown(String s) {
    return io.vigil.common.text.TerminalText.escape(s, MAX_CHARS);
  }
}
