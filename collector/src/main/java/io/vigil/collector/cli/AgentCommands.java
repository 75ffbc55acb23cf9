package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.AgentRecord;
import io.vigil.proto.v1.CommandResult;
import io.vigil.proto.v1.ListAgentsRequest;
import io.vigil.proto.v1.Ping;
import io.vigil.proto.v1.RevokeAgentRequest;
import io.vigil.proto.v1.RevokeReply;
import io.vigil.proto.v1.SendCommandReply;
import io.vigil.proto.v1.SendCommandRequest;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigilctl agents}, {@code agent revoke AGENT_ID --reason TEXT} and {@code ping HOST [--wait
 * D]}. Not thread-safe; one command per instance.
 */
final class AgentCommands {
  static final Map<String, Set<String>> OPTIONS =
      Map.of("agents", Set.of(), "agent revoke", Set.of("--reason"), "ping", Set.of("--wait"));

  /** How long {@code ping} waits for the agent's answer when {@code --wait} is not given. */
  static final Duration DEFAULT_WAIT = Duration.ofSeconds(10);

  /** The most {@code --wait} may be (the collector bounds it too). */
  static final Duration MAX_WAIT = Duration.ofMinutes(2);

  private final CtlApi api;
  private final PrintStream out;
  private final PrintStream err;

  AgentCommands(CtlApi api, PrintStream out, PrintStream err) {
    this.api = api;
    this.out = out;
    this.err = err;
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    int code =
        switch (command) {
          case "agents" -> list(TokenCommands.words(command, words, 0));
          case "agent revoke" -> revoke(TokenCommands.words(command, words, 1).get(0), args);
          case "ping" -> ping(TokenCommands.words(command, words, 1).get(0), args);
          default -> throw new UsageException("unknown command " + Shown.text(command));
        };
    out.flush();
    return code;
  }

  private int list(List<String> unused) {
    List<AgentRecord> agents =
        api.call(s -> s.listAgents(ListAgentsRequest.getDefaultInstance())).getAgentsList();
    if (agents.isEmpty()) {
      out.println("no agents");
      return AlertsCommand.OK;
    }
    TextTable t =
        new TextTable(
            "AGENT_ID",
            "HOST",
            "VERSION",
            "CONNECTED",
            "LAST SEEN (UTC)",
            "ENROLLED (UTC)",
            "CERT UNTIL (UTC)",
            "REVOKED");
    for (AgentRecord a : agents) {
      t.row(
          a.getAgentId(),
          host(a),
          a.getAgentVersion().isEmpty() ? "-" : a.getAgentVersion(),
          a.getConnected() ? "yes" : "no",
          a.getLastSeenNs() == 0 ? "never" : Shown.seconds(a.getLastSeenNs()),
          a.getEnrolledNs() == 0 ? "not enrolled" : Shown.seconds(a.getEnrolledNs()),
          a.getCertificateNotAfterNs() == 0 ? "-" : Shown.seconds(a.getCertificateNotAfterNs()),
          a.getRevokedNs() == 0
              ? "-"
              : Shown.seconds(a.getRevokedNs())
                  + " by "
                  + a.getRevokedBy()
                  + ": "
                  + a.getRevokeReason());
    }
    t.lines().forEach(out::println);
    return AlertsCommand.OK;
  }

  /**
   * The enrolled host name, and the one the agent reports when it differs (a renamed host, or an
   * agent claiming another's name: commands by host name go by the enrolled one).
   */
  static String host(AgentRecord a) {
    String enrolled = a.getHostname().isEmpty() ? "-" : a.getHostname();
    String reported = a.getReportedHostname();
    if (reported.isEmpty() || reported.equals(a.getHostname())) {
      return enrolled;
    }
    return enrolled + " (reports " + reported + ")";
  }

  private int revoke(String agentId, CtlArgs args) throws UsageException {
    String reason = args.option("--reason");
    if (reason == null || reason.isBlank()) {
      throw new UsageException("agent revoke needs --reason TEXT (why the agent is revoked)");
    }
    RevokeReply r =
        api.call(
            s ->
                s.revokeAgent(
                    RevokeAgentRequest.newBuilder().setAgentId(agentId).setReason(reason).build()));
    out.println(
        "agent "
            + Shown.text(agentId)
            + (r.getChanged()
                ? " revoked: its certificates are refused from now on"
                : " was already revoked"));
    return AlertsCommand.OK;
  }

  private int ping(String host, CtlArgs args) throws UsageException {
    Duration wait =
        args.option("--wait") == null
            ? DEFAULT_WAIT
            : TokenCommands.duration("--wait", args.option("--wait"));
    if (wait.compareTo(MAX_WAIT) > 0) {
      throw new UsageException("--wait: at most 2m");
    }
    SendCommandRequest request =
        SendCommandRequest.newBuilder()
            .setHost(host)
            .setWaitMs((int) wait.toMillis())
            .setPing(Ping.newBuilder().setNote("vigilctl ping"))
            .build();
    SendCommandReply r = api.call(wait.plus(Duration.ofSeconds(30)), s -> s.sendCommand(request));
    String who = Shown.text(host) + " (agent " + Shown.text(r.getAgentId()) + ")";
    switch (r.getStatus()) {
      case "done" -> {
        CommandResult res = r.getResult();
        out.println(
            "ping "
                + who
                + ": "
                + outcome(res)
                + (res.getDetail().isEmpty() ? "" : ": " + Shown.longText(res.getDetail()))
                + " (command "
                + Shown.text(r.getCommandId())
                + ")");
        return res.getOutcome() == CommandResult.Outcome.OUTCOME_SUCCEEDED
            ? AlertsCommand.OK
            : AlertsCommand.FAILED;
      }
      case "sent" -> {
        err.println(
            "vigilctl: ping "
                + who
                + ": sent, no answer within "
                + wait.toMillis() / 1000.0
                + " s (command "
                + Shown.text(r.getCommandId())
                + ")");
        return AlertsCommand.FAILED;
      }
      default -> {
        err.println(
            "vigilctl: ping "
                + who
                + ": "
                + Shown.text(r.getStatus())
                + (r.getStatus().equals("not_connected")
                    ? ": the agent has no stream to the collector now; nothing was sent (commands"
                        + " are not queued yet)"
                    : ""));
        return AlertsCommand.FAILED;
      }
    }
  }

  private static String outcome(CommandResult r) {
    return switch (r.getOutcome()) {
      case OUTCOME_SUCCEEDED -> "succeeded";
      case OUTCOME_FAILED -> "failed";
      case OUTCOME_REJECTED -> "rejected";
      default -> "unknown outcome";
    };
  }
}
