package io.vigil.collector.ingest;

import java.sql.SQLException;

/**
 * Recognises SQLite's "no space": {@code SQLITE_FULL} (the file could not grow: the disk, a quota
 * or {@code max_page_count}) and {@code SQLITE_IOERR} (a write failed, which on a full disk is what
 * a journal or WAL write reports). SQLite rolls back the statement or the whole transaction; the
 * writer rolls back the rest and fails the batches back to their agents, which keep them.
 */
final class StoreFull {
  private static final int SQLITE_IOERR = 10;
  private static final int SQLITE_FULL = 13;

  private StoreFull() {}

  static boolean is(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SQLException s) {
        int primary = s.getErrorCode() & 0xff;
        String m = s.getMessage() == null ? "" : s.getMessage();
        if (primary == SQLITE_FULL
            || primary == SQLITE_IOERR
            || m.contains("SQLITE_FULL")
            || m.contains("SQLITE_IOERR")) {
          return true;
        }
      }
    }
    return false;
  }
}
