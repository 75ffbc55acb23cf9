package io.vigil.collector.disk;

/**
 * The bytes of the database's free pages (freelist_count × page_size): space inside the file that
 * SQLite reuses for new rows before it grows the file. Retention deletes make them; a full disk
 * filled by the database is relieved by them, though the file never shrinks.
 */
@FunctionalInterface
public interface FreePages {
  /** None: the guard counts the filesystem only. */
  FreePages NONE = () -> 0;

  /**
   * The free pages' bytes now; a quick read of the database's header. Called only by the guard's
   * measurement, one call at a time.
   *
   * @throws RuntimeException when the database cannot be read (the guard then counts none)
   */
  long bytes();
}
