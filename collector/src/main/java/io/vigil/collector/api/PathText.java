package io.vigil.collector.api;

/**
 * Checks of the file path arguments of commands at the collector, for an early clear error (the
 * agent checks them again, and refuses the files it needs itself): absolute, no NUL, no {@code .}
 * or {@code ..} segment, not a directory name ({@code /} or a trailing slash), bounded. Stateless.
 */
final class PathText {
  /** Longest path accepted, chars (Linux's PATH_MAX is 4096 bytes). */
  static final int MAX_CHARS = 4096;

  private PathText() {}

  /**
   * @throws IllegalArgumentException naming {@code field}
   */
  static void check(String field, String path) {
    if (path.isEmpty()) {
      throw new IllegalArgumentException(field + ": missing (an absolute path)");
    }
    if (path.length() > MAX_CHARS) {
      throw new IllegalArgumentException(field + ": longer than " + MAX_CHARS + " characters");
    }
    if (path.indexOf('\0') >= 0) {
      throw new IllegalArgumentException(field + ": contains a NUL character");
    }
    String shown = AddressText.shown(path);
    if (!path.startsWith("/")) {
      throw new IllegalArgumentException(field + ": \"" + shown + "\" is not an absolute path");
    }
    if (path.endsWith("/")) {
      throw new IllegalArgumentException(
          field + ": \"" + shown + "\" names a directory, not a file");
    }
    for (String segment : path.substring(1).split("/", -1)) {
      if (segment.equals(".") || segment.equals("..")) {
        throw new IllegalArgumentException(
            field + ": \"" + shown + "\" has a \"" + segment + "\" segment; give the plain path");
      }
      if (segment.isEmpty()) {
        throw new IllegalArgumentException(
            field + ": \"" + shown + "\" has an empty segment (\"//\"); give the plain path");
      }
    }
  }
}
