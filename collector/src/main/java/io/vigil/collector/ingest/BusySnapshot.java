package io.vigil.collector.ingest;

import java.sql.SQLException;
import org.sqlite.SQLiteErrorCode;

/**
 * Recognises SQLite's {@code SQLITE_BUSY_SNAPSHOT}: a WAL transaction that read first cannot write
 * because another connection committed after its read began. Waiting does not help (the busy
 * timeout is not applied); starting the transaction again does.
 */
final class BusySnapshot {
  private BusySnapshot() {}

  static boolean is(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s
          && (s.getErrorCode() == SQLiteErrorCode.SQLITE_BUSY_SNAPSHOT.code
              || (s.getMessage() != null && s.getMessage().contains("SQLITE_BUSY_SNAPSHOT")))) {
        return true;
      }
    }
    return false;
  }
}
