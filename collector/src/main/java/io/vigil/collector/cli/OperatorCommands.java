package io.vigil.collector.cli;

import io.vigil.common.cli.CommandLine.UsageException;
import io.vigil.proto.v1.AuditRecord;
import io.vigil.proto.v1.ListAuditRequest;
import io.vigil.proto.v1.VerifyAuditReply;
import io.vigil.proto.v1.VerifyAuditRequest;
import io.vigil.proto.v1.WhoAmIReply;
import io.vigil.proto.v1.WhoAmIRequest;
import java.io.PrintStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code vigilctl whoami} (the operator and role the token names, and the CA fingerprint agents
 * pin), {@code vigilctl audit [list] [--limit N]} (the audit log, newest first) and {@code vigilctl
 * audit verify} (its hash chain: exit 0 intact, 1 broken). Not thread-safe.
 */
final class OperatorCommands {
  static final Map<String, Set<String>> OPTIONS =
      Map.of(
          "whoami",
          Set.of(),
          "audit",
          Set.of("--limit"),
          "audit list",
          Set.of("--limit"),
          "audit verify",
          Set.of());

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
      case "audit verify" -> {
        TokenCommands.words(command, words, 0);
        return verify(api.call(s -> s.verifyAudit(VerifyAuditRequest.getDefaultInstance())));
      }
      case "audit", "audit list" -> {
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

  /** Prints what VerifyAudit found; 0 when intact, 1 when not. */
  private int verify(VerifyAuditReply v) {
    if (v.getIntact()) {
      out.println(
          "the audit log is intact: "
              + v.getRows()
              + " rows, head "
              + (v.getHeadHash().isEmpty() ? "-" : Shown.text(v.getHeadHash())));
      out.flush();
      return AlertsCommand.OK;
    }
    out.println("the audit log is BROKEN: " + Shown.longText(v.getProblem()));
    if (v.getFirstBadId() != 0) {
      out.println("first bad row: " + v.getFirstBadId());
    }
    out.println("rows checked: " + v.getRows());
    out.flush();
    return AlertsCommand.FAILED;
  }
}
