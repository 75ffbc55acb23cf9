package io.vigil.collector.cli;

import io.vigil.collector.store.AuditLog;
import io.vigil.collector.store.AuditVerification;
import io.vigil.collector.store.StoreException;
import io.vigil.common.config.PathArgument;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * {@code vigil-collector audit-verify --database FILE} and {@code vigil-collector audit-reset-head
 * --database FILE}: the audit log's chain checked on the database file itself, without the operator
 * API (the collector may be running or not), and the explicit recovery step for its head file.
 *
 * <p>{@code audit-verify} prints what {@link AuditLog#verify} found. {@code audit-reset-head}
 * records the log's present end in the head file ({@link AuditLog#resetHead}), after a backup was
 * restored or once an administrator has examined a reported mismatch; it refuses a log whose rows'
 * chain is broken. Exit codes: 0 intact / reset, 1 broken / refused / the database cannot be
 * opened, 2 usage error. Stateless.
 */
public final class AuditCheck {
  /** The commands this class runs. */
  public static final String VERIFY = "audit-verify";

  public static final String RESET_HEAD = "audit-reset-head";

  static final String USAGE =
      "usage: vigil-collector audit-verify|audit-reset-head --database FILE";

  private AuditCheck() {}

  /** Runs {@code args} (the command first); returns the exit code. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length != 3
        || !(args[0].equals(VERIFY) || args[0].equals(RESET_HEAD))
        || !args[1].equals("--database")) {
      err.println("vigil-collector: " + USAGE);
      return 2;
    }
    Path db;
    try {
      db = PathArgument.parse("--database", args[2]);
    } catch (IllegalArgumentException e) {
      err.println("vigil-collector: " + Shown.longText(e.getMessage()) + "\n" + USAGE);
      return 2;
    }
    try (AuditLog audit = AuditLog.open(db)) {
      if (args[0].equals(RESET_HEAD)) {
        AuditVerification rows = audit.resetHead();
        out.println(
            "audit head reset: "
                + audit.headFile()
                + " now records the end of "
                + rows.rows()
                + " chained rows"
                + (rows.headHash().isEmpty() ? "" : " (head " + rows.headHash() + ")"));
        return 0;
      }
      AuditVerification v = audit.verify();
      if (v.intact()) {
        out.println(
            "the audit log is intact: "
                + v.rows()
                + " rows, head "
                + (v.headHash().isEmpty() ? "-" : v.headHash()));
        return 0;
      }
      out.println("the audit log is BROKEN: " + Shown.longText(v.problem()));
      if (v.firstBadId() != 0) {
        out.println("first bad row: " + v.firstBadId());
      }
      out.println("rows checked: " + v.rows());
      return 1;
    } catch (StoreException | IllegalStateException e) {
      err.println("vigil-collector: " + Shown.longText(e.getMessage()));
      return 1;
    }
  }
}
