package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.AuditRecord;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.WhoAmIReply;
import io.vigil.proto.v1.WhoAmIRequest;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigilctl whoami} (the operator and role the token names, and the CA fingerprint agents
 * pin) and {@code vigilctl audit [--limit N]} (the audit log, newest first). Not thread-safe.
 */
final class OperatorCommands {
  static final Map<String, Set<String>> OPTIONS =
      Map.of("whoami", Set.of(), "audit", Set.of("--limit"));

  private final CtlApi api;
  private final PrintStream out;

  OperatorCommands(CtlApi api, PrintStream out) {
    this.api = api;
    this.out = out;
  }

  int run(String command, List<String> words, CtlArgs args) throws UsageException {
    switch (command) {
      case "whoami" -> {
        TokenCommands.words(command, words, 0);
        WhoAmIReply w = api.call(s -> s.whoAmI(WhoAmIRequest.getDefaultInstance()));
        out.println("operator: " + Shown.text(w.getOperator()));
        out.println("role: " + TokenCommands.role(w.getRole()));
        out.println("token_id: " + Shown.text(w.getTokenId()));
        out.println(
            "ca_fingerprint: "
                + (w.getCaFingerprint().isEmpty() ? "-" : Shown.text(w.getCaFingerprint())));
      }
      case "audit" -> {
        TokenCommands.words(command, words, 0);
        ListAuditRequest.Builder r = ListAuditRequest.newBuilder();
        if (args.option("--limit") != null) {
          r.setLimit(TokenCommands.positive("--limit", args.option("--limit")));
        }
        List<AuditRecord> entries = api.call(s -> s.listAudit(r.build())).getEntriesList();
        if (entries.isEmpty()) {
          out.println("the audit log is empty");
          break;
        }
        TextTable t =
            new TextTable(
                "ID", "TIME (UTC)", "OPERATOR", "ROLE", "ACTION", "TARGET", "OUTCOME", "DETAIL");
        for (AuditRecord a : entries) {
          t.row(
              Long.toString(a.getId()),
              Shown.seconds(a.getAtNs()),
              a.getOperator(),
              TokenCommands.role(a.getRole()),
              a.getAction(),
              a.getTarget().isEmpty() ? "-" : a.getTarget(),
              a.getOutcome(),
              a.getDetail());
        }
        t.lines().forEach(out::println);
      }
      default -> throw new UsageException("unknown command " + Shown.text(command));
    }
    out.flush();
    return AlertsCommand.OK;
  }
}
