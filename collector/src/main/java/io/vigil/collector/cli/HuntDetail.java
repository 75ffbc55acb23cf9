package io.vigil.collector.cli;

import io.vigil.proto.v1.DnsEvent;
import io.vigil.proto.v1.Event;
import io.vigil.proto.v1.NetworkConnection;
import io.vigil.proto.v1.Transport;
import java.util.Locale;

/**
 * The detail column of a hunt row: what the event is about, in one line of raw text (the command
 * line of a process start; {@code outbound tcp 10.0.0.5:51234 → 192.0.2.7:443} for a connection;
 * {@code listen tcp 0.0.0.0:8080}; the name, type and answers of a DNS query; the action and path
 * of a file event; ...). Not escaped: the writers escape it. Stateless.
 */
final class HuntDetail {
  private HuntDetail() {}

  static String of(Event e) {
    return switch (e.getPayloadCase()) {
      case PROCESS_EXEC -> e.getProcessExec().getProcess().getCommandLine();
      case PROCESS_EXIT ->
          e.getProcessExit().getExitStatusKnown()
              ? "exit code " + e.getProcessExit().getExitCode()
              : "exit status not known";
      case FILE -> file(e);
      case CONNECTION -> connection(e.getConnection());
      case FLOW ->
          word(e.getFlow().getTransport())
              + " "
              + endpoint(e.getFlow().getSourceIp(), e.getFlow().getSourcePort())
              + " → "
              + endpoint(e.getFlow().getDestinationIp(), e.getFlow().getDestinationPort());
      case DNS -> dns(e.getDns());
      case HTTP -> e.getHttp().getMethod() + " " + e.getHttp().getHost() + e.getHttp().getUri();
      case TLS -> "server name " + e.getTls().getServerName();
      case AUDIT -> (e.getAudit().getType() + " " + e.getAudit().getResult()).strip();
      case COMMAND_RESULT ->
          e.getCommandResult().getCommandId() + " " + e.getCommandResult().getOutcome();
      case GAP -> "events lost";
      default -> "";
    };
  }

  private static String file(Event e) {
    String action = e.getFile().getAction().name().replace("ACTION_", "").toLowerCase(Locale.ROOT);
    String old = e.getFile().getOldPath();
    return action + " " + (old.isEmpty() ? "" : old + " → ") + e.getFile().getPath();
  }

  private static String connection(NetworkConnection c) {
    String direction = c.getDirection().name().replace("DIRECTION_", "").toLowerCase(Locale.ROOT);
    String src = endpoint(c.getSourceIp(), c.getSourcePort());
    if (c.getDirection() == NetworkConnection.Direction.DIRECTION_LISTEN) {
      // A listening socket's own address is its destination (where clients connect to).
      String at =
          c.getDestinationIp().isEmpty()
              ? src
              : endpoint(c.getDestinationIp(), c.getDestinationPort());
      return direction + " " + word(c.getTransport()) + " " + at;
    }
    String dst = endpoint(c.getDestinationIp(), c.getDestinationPort());
    String name =
        c.getDestinationHostname().isEmpty() ? "" : " (" + c.getDestinationHostname() + ")";
    return direction + " " + word(c.getTransport()) + " " + src + " → " + dst + name;
  }

  private static String dns(DnsEvent d) {
    String answers = String.join(",", d.getAnswersList());
    return (d.getQueryName()
            + " "
            + d.getQueryType()
            + " "
            + d.getResponseCode()
            + (answers.isEmpty() ? "" : " " + answers))
        .strip();
  }

  private static String endpoint(String ip, int port) {
    String host = ip.indexOf(':') >= 0 ? "[" + ip + "]" : ip;
    return port == 0 ? host : host + ":" + Integer.toUnsignedString(port);
  }

  private static String word(Transport t) {
    return t.name().replace("TRANSPORT_", "").toLowerCase(Locale.ROOT);
  }
}
