package io.vigil.collector.store;

import java.sql.SQLException;

/** A database operation failed (I/O error, disk full, corrupt file, incompatible schema). */
public final class StoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StoreException(String message, SQLException cause) {
    super(message + ": " + cause.getMessage(), cause);
  }

  public StoreException(String message) {
    super(message);
  }
}
