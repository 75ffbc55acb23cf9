package io.vigil.agent.enroll;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Reads an enrolment token from a file or, for {@code -}, from stdin: at most {@link #MAX_BYTES}
 * bytes, one line, surrounding white space trimmed. A file that group or others can read is used,
 * with a warning (the token is a secret until it is used up). Stateless.
 */
public final class TokenFile {
  /** A token is about 60 characters; anything this large is not one. */
  public static final int MAX_BYTES = 4096;

  private TokenFile() {}

  /**
   * @param spec the {@code --token-file} value: a path, or {@code -} for stdin
   * @param warnings where the permission warning goes (stderr)
   * @throws IOException naming {@code --token-file} and what is wrong (missing, too large, empty,
   *     more than one line)
   */
  public static String read(String spec, InputStream stdin, PrintStream warnings)
      throws IOException {
    byte[] bytes;
    String where;
    if (spec.equals("-")) {
      where = "--token-file - (stdin)";
      bytes = stdin.readNBytes(MAX_BYTES + 1);
    } else {
      Path file = Path.of(spec);
      where = "--token-file " + spec;
      try {
        if (!Files.isRegularFile(file)) {
          throw new IOException(where + ": not a regular file");
        }
        if (Files.size(file) > MAX_BYTES) {
          throw new IOException(where + ": larger than " + MAX_BYTES + " bytes: not a token");
        }
        warnIfShared(file, warnings);
        try (InputStream in = Files.newInputStream(file)) {
          bytes = in.readNBytes(MAX_BYTES + 1);
        }
      } catch (NoSuchFileException e) {
        throw new IOException(where + ": no such file", e);
      }
    }
    if (bytes.length > MAX_BYTES) {
      throw new IOException(where + ": longer than " + MAX_BYTES + " bytes: not a token");
    }
    String token = new String(bytes, StandardCharsets.UTF_8).trim();
    if (token.isEmpty()) {
      throw new IOException(where + ": empty");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c < 0x21 || c > 0x7e) {
        throw new IOException(
            where
                + ": a token is one word of printable ASCII; this holds white space or other"
                + " characters");
      }
    }
    return token;
  }

  private static void warnIfShared(Path file, PrintStream warnings) {
    try {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(file);
      if (perms.contains(PosixFilePermission.GROUP_READ)
          || perms.contains(PosixFilePermission.OTHERS_READ)) {
        warnings.println(
            "vigil-agent enroll: warning: token file "
                + file
                + " is readable by "
                + (perms.contains(PosixFilePermission.OTHERS_READ) ? "others" : "its group")
                + " (mode "
                + PosixFilePermissions.toString(perms)
                + "); a token is a secret: chmod 600 it, or pass it on stdin with --token-file -");
      }
    } catch (IOException | UnsupportedOperationException e) {
      // No POSIX permissions to check (or a symlink): nothing to warn about.
    }
  }
}
