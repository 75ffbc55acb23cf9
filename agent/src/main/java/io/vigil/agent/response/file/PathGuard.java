package io.vigil.agent.response.file;

import io.vigil.agent.platform.linux.DirectoryHandle;
import io.vigil.agent.platform.linux.FileStatus;
import io.vigil.agent.platform.linux.SymbolicLinkOnPathException;
import io.vigil.agent.response.ActionRefusedException;
import io.vigil.common.text.TerminalText;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;

/**
 * The checks every file command's path argument passes: its syntax (refused, never normalised: an
 * operator who typed {@code ..} did not mean what the agent would guess) and the kind of file it
 * names. Stateless.
 */
public final class PathGuard {
  /** Longest path argument accepted ({@code PATH_MAX}). */
  static final int MAX_PATH = 4096;

  private PathGuard() {}

  /**
   * The argument as a path: absolute, no NUL, no empty, {@code .} or {@code ..} segment, not {@code
   * /}.
   *
   * @throws ActionRefusedException naming what is wrong
   */
  public static Path parse(String argument) throws ActionRefusedException {
    String shown = shown(argument);
    if (argument.isEmpty()) {
      throw new ActionRefusedException("path is empty");
    }
    if (argument.length() > MAX_PATH) {
      throw new ActionRefusedException("path is longer than " + MAX_PATH + " characters");
    }
    if (argument.indexOf('\0') >= 0) {
      throw new ActionRefusedException("path " + shown + " contains a NUL byte");
    }
    if (!argument.startsWith("/")) {
      throw new ActionRefusedException("path " + shown + " is not absolute");
    }
    if (argument.equals("/")) {
      throw new ActionRefusedException("path / is the root directory");
    }
    String[] segments = argument.substring(1).split("/", -1);
    for (String s : segments) {
      if (s.isEmpty()) {
        throw new ActionRefusedException(
            "path " + shown + " has an empty segment (\"//\" or a trailing \"/\")");
      }
      if (s.equals(".") || s.equals("..")) {
        throw new ActionRefusedException(
            "path " + shown + " has a \"" + s + "\" segment; give the path without it");
      }
    }
    return Path.of(argument);
  }

  /**
   * The directory of {@code path}, walked from {@code /} without following any symbolic link
   * ({@link DirectoryHandle#walk}): checks and the action then use this one handle, so a directory
   * on the way that is swapped for a link meanwhile (to {@code /etc}, say) changes nothing. A path
   * through a link ({@code /bin} on a merged-{@code /usr} system) is refused with the path to give
   * instead.
   *
   * @param verb what is refused, e.g. {@code "quarantine"}
   * @throws ActionRefusedException when a directory on the way is a link, missing or not a
   *     directory
   */
  public static DirectoryHandle walkParent(Path path, String verb)
      throws ActionRefusedException, IOException {
    try {
      return DirectoryHandle.walk(path.getParent());
    } catch (SymbolicLinkOnPathException e) {
      String instead = "";
      try {
        instead =
            "; the path without links is "
                + shown(path.getParent().toRealPath().resolve(path.getFileName()).toString());
      } catch (IOException ignored) {
        // a dangling link: nothing to suggest
      }
      throw new ActionRefusedException(
          "refusing to "
              + verb
              + " "
              + shown(path.toString())
              + ": "
              + shown(e.link().toString())
              + " on its path is a symbolic link"
              + (e.target() == null ? "" : " to " + shown(e.target()))
              + ", and links are not followed"
              + instead);
    } catch (NoSuchFileException | NotDirectoryException e) {
      throw new ActionRefusedException("no file at " + shown(path.toString()));
    }
  }

  /**
   * The status of the entry {@code name} of {@code dir} (not following a link) when it is a regular
   * file; the same refusals as {@link #regularFile(Path)}.
   */
  public static FileStatus regularFile(DirectoryHandle dir, String name, Path path)
      throws ActionRefusedException, IOException {
    FileStatus a =
        dir.statusOf(name)
            .orElseThrow(() -> new ActionRefusedException("no file at " + shown(path.toString())));
    if (a.isSymbolicLink()) {
      String target = dir.linkTarget(name);
      throw new ActionRefusedException(
          shown(path.toString())
              + " is a symbolic link to "
              + (target == null ? "(unreadable)" : shown(target))
              + ": quarantine or collect the target instead");
    }
    if (a.isDirectory()) {
      throw new ActionRefusedException(shown(path.toString()) + " is a directory, not a file");
    }
    if (!a.isRegularFile()) {
      throw new ActionRefusedException(
          shown(path.toString()) + " is not a regular file (a device, FIFO or socket)");
    }
    return a;
  }

  /** Attacker-controlled text bounded and escaped for the operator's terminal and the log. */
  static String shown(String s) {
    return "\"" + TerminalText.escape(s, 512) + "\"";
  }
}
