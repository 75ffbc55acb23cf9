package io.vigil.detect.engine;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The starter ruleset shipped inside the detect jar (source: {@code detect/rules}), as a {@link
 * Path} a {@link RuleCatalog} can walk: a directory when running from classes, a zip file system
 * path when running from a jar (that file system stays open for the life of the process).
 */
public final class BundledRules {
  /** A file the rules directory always holds, to find the directory by. */
  private static final String MARKER = "/io/vigil/detect/rules/README.md";

  private BundledRules() {}

  public static synchronized Path directory() throws IOException {
    URL url = BundledRules.class.getResource(MARKER);
    if (url == null) {
      throw new IOException("the starter rules are missing from the classpath (" + MARKER + ")");
    }
    URI uri;
    try {
      uri = url.toURI();
    } catch (URISyntaxException e) {
      throw new IOException("cannot locate the starter rules: " + url, e);
    }
    if ("jar".equals(uri.getScheme())) {
      try {
        FileSystems.newFileSystem(uri, Map.of());
      } catch (FileSystemAlreadyExistsException alreadyOpen) {
        // Opened by an earlier call: the path below resolves in it.
      }
    }
    return Path.of(uri).getParent();
  }
}
