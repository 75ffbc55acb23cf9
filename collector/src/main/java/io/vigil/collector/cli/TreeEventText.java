package io.vigil.collector.cli;

import io.vigil.common.text.TerminalText;
import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.FileEvent;
import io.vigil.proto.v1.Flow;
import io.vigil.proto.v1.HttpEvent;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.ProcessExit;
import io.vigil.proto.v1.TlsEvent;
import io.vigil.proto.v1.Transport;
import java.util.Locale;

/**
 * What one event of a process tree says, in a few words without the process (the tree shows it):
 * {@code connect tcp 10.0.0.5:41234 -> 93.184.216.34:80 (example.org)}, {@code file create
 * /tmp/x.sh}, {@code exit code 0}. Every value from the agent is escaped for the terminal and
 * bounded. Stateless.
 */
final class TreeEventText {
  /** Bound of one value (a path, a name, an address). */
  static final int FIELD_MAX = 200;

  /** DNS answers shown at most. */
  private static final int MAX_ANSWERS = 4;

  private TreeEventText() {}

  static String of(Event e) {
    return switch (e.getPayloadCase()) {
      case CONNECTION -> connection(e.getConnection());
      case FLOW -> flow(e.getFlow());
      case DNS -> dns(e.getDns());
      case HTTP -> http(e.getHttp());
      case TLS -> tls(e.getTls());
      case FILE -> file(e.getFile());
      case PROCESS_EXIT -> exit(e.getProcessExit());
      case AUDIT ->
          "audit "
              + esc(e.getAudit().getType())
              + (e.getAudit().getResult().isEmpty() ? "" : " " + esc(e.getAudit().getResult()));
      case PROCESS_EXEC -> "exec " + esc(e.getProcessExec().getProcess().getCommandLine());
      default -> e.getPayloadCase().name().toLowerCase(Locale.ROOT);
    };
  }

  private static String connection(NetworkConnection c) {
    String t = transport(c.getTransport());
    String hostname =
        c.getDestinationHostname().isEmpty() ? "" : " (" + esc(c.getDestinationHostname()) + ")";
    return switch (c.getDirection()) {
      case DIRECTION_LISTEN ->
          "listen " + t + " " + address(c.getDestinationIp(), c.getDestinationPort());
      case DIRECTION_INBOUND -> "accept " + t + " " + pair(c) + hostname;
      default -> "connect " + t + " " + pair(c) + hostname;
    };
  }

  /**
   * {@code source -> destination}; just the destination when the source is not known (a connect
   * seen in the audit trail has no local address yet).
   */
  private static String pair(NetworkConnection c) {
    String to = address(c.getDestinationIp(), c.getDestinationPort());
    if (c.getSourceIp().isEmpty() && c.getSourcePort() == 0) {
      return to;
    }
    return address(c.getSourceIp(), c.getSourcePort()) + " -> " + to;
  }

  private static String flow(Flow f) {
    StringBuilder b =
        new StringBuilder("flow ")
            .append(transport(f.getTransport()))
            .append(' ')
            .append(address(f.getSourceIp(), f.getSourcePort()))
            .append(" -> ")
            .append(address(f.getDestinationIp(), f.getDestinationPort()));
    if (!f.getDestinationHostname().isEmpty()) {
      b.append(" (").append(esc(f.getDestinationHostname())).append(')');
    }
    b.append(' ')
        .append(Long.toUnsignedString(f.getBytesToServer()))
        .append('/')
        .append(Long.toUnsignedString(f.getBytesToClient()))
        .append(" bytes");
    if (!f.getApplication().isEmpty()) {
      b.append(' ').append(esc(f.getApplication()));
    }
    if (!f.getState().isEmpty()) {
      b.append(" state ").append(esc(f.getState()));
    }
    return b.toString();
  }

  private static String dns(DnsEvent d) {
    StringBuilder b =
        new StringBuilder("dns ")
            .append(esc(d.getQueryType().isEmpty() ? "?" : d.getQueryType()))
            .append(' ')
            .append(esc(d.getQueryName()));
    if (d.getAnswersCount() > 0) {
      b.append(" -> ")
          .append(
              esc(
                  String.join(
                      ", ",
                      d.getAnswersList().subList(0, Math.min(MAX_ANSWERS, d.getAnswersCount())))));
      if (d.getAnswersCount() > MAX_ANSWERS) {
        b.append(" (+").append(d.getAnswersCount() - MAX_ANSWERS).append(" more)");
      }
    }
    if (!d.getResponseCode().isEmpty()) {
      b.append(" (").append(esc(d.getResponseCode())).append(')');
    }
    return b.toString();
  }

  private static String http(HttpEvent h) {
    return "http "
        + esc(h.getMethod())
        + " "
        + esc(h.getHost())
        + esc(h.getUri())
        + " -> "
        + address(h.getServerIp(), h.getServerPort())
        + (h.getStatusCode() == 0 ? "" : " status " + h.getStatusCode());
  }

  private static String tls(TlsEvent t) {
    return esc(t.getProtocol().isEmpty() ? "tls" : t.getProtocol())
        + " "
        + (t.getServerName().isEmpty() ? "(no sni)" : esc(t.getServerName()))
        + " -> "
        + address(t.getServerIp(), t.getServerPort())
        + (t.getVersion().isEmpty() ? "" : " " + esc(t.getVersion()));
  }

  private static String file(FileEvent f) {
    String action = f.getAction().name().replace("ACTION_", "").toLowerCase(Locale.ROOT);
    StringBuilder b = new StringBuilder("file ").append(action).append(' ');
    if (!f.getOldPath().isEmpty()) {
      b.append(esc(f.getOldPath())).append(" -> ");
    }
    b.append(esc(f.getPath()));
    if (f.getCount() > 1) {
      b.append(" (").append(Long.toUnsignedString(f.getCount())).append(" times)");
    }
    if (!f.getSha256().isEmpty()) {
      String h = f.getSha256();
      b.append(" sha256 ").append(esc(h.length() > 12 ? h.substring(0, 12) + "…" : h));
    }
    return b.toString();
  }

  private static String exit(ProcessExit x) {
    if (!x.getExitStatusKnown()) {
      return "exit (status unknown: found gone)";
    }
    return x.getExitSignal() != 0
        ? "exit signal " + x.getExitSignal()
        : "exit code " + x.getExitCode();
  }

  private static String transport(Transport t) {
    return switch (t) {
      case TRANSPORT_TCP -> "tcp";
      case TRANSPORT_UDP -> "udp";
      case TRANSPORT_ICMP -> "icmp";
      default -> "?";
    };
  }

  /** {@code 10.0.0.5:80}, {@code [::1]:80}; the address escaped. */
  static String address(String ip, int port) {
    String a = ip.isEmpty() ? "?" : esc(ip);
    return (a.indexOf(':') >= 0 ? "[" + a + "]" : a) + ":" + Integer.toUnsignedString(port);
  }

  private static String esc(String s) {
    return TerminalText.escape(s, FIELD_MAX);
  }
}
