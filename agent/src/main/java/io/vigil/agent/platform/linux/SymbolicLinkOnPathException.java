package io.vigil.agent.platform.linux;

import java.io.IOException;
import java.nio.file.Path;

/** A directory on a path walked by {@link DirectoryHandle#walk} is a symbolic link. */
public final class SymbolicLinkOnPathException extends IOException {
  private static final long serialVersionUID = 1L;
  private final transient Path link;
  private final String target;

  SymbolicLinkOnPathException(Path link, String target) {
    super(link + " is a symbolic link" + (target == null ? "" : " to " + target));
    this.link = link;
    this.target = target;
  }

  /** The path of the link, as walked (no link before it). */
  public Path link() {
    return link;
  }

  /** What the link holds, or null when it could not be read. */
  public String target() {
    return target;
  }
}
