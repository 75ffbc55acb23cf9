package io.vigil.agent.response.file;

import io.vigil.agent.config.ResponseSection;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What quarantine must never move: the agent itself (its Java runtime, install directory, state,
 * configuration, vault and every file mapped into its process), the tools containment needs, the
 * kernel's pseudo filesystems, and what the host needs to boot and let anyone log in; plus {@code
 * response.protected_paths}. Compared on real paths and, for files, on inode too (a hard link to
 * {@code /etc/shadow} elsewhere is still {@code /etc/shadow}: the vault would chmod it to 0000).
 * Immutable; {@link #reasonFor} re-reads {@code /proc/self/maps} each time, and for a file with
 * more than one link searches the protected directories on its filesystem for its inode.
 */
public final class ProtectedFiles {
  /** Files and directories the host cannot do without, whatever the agent's configuration. */
  static final List<String> ESSENTIALS =
      List.of(
          "/proc",
          "/sys",
          "/dev",
          "/boot",
          "/etc/passwd",
          "/etc/shadow",
          "/etc/group",
          "/etc/gshadow",
          "/etc/sudoers",
          "/etc/fstab",
          "/etc/ld.so.cache",
          "/etc/ld.so.conf",
          "/etc/nsswitch.conf",
          "/etc/pam.d",
          "/sbin/init",
          "/lib/systemd/systemd",
          "/usr/lib/systemd/systemd",
          "/lib64/ld-linux-x86-64.so.2",
          "/lib/ld-linux-aarch64.so.1",
          "/lib/x86_64-linux-gnu/libc.so.6",
          "/lib/aarch64-linux-gnu/libc.so.6",
          "/lib64/libc.so.6",
          "/bin/sh",
          "/bin/bash",
          "/bin/login",
          "/usr/sbin/sshd");

  /** Never walked: their files are not hard links to anything and some never end. */
  static final List<Path> PSEUDO = List.of(Path.of("/proc"), Path.of("/sys"), Path.of("/dev"));

  /** Files looked at for another name of a multiply linked file before giving up (refusing). */
  static final int MAX_SEARCHED = 200_000;

  private final Map<Path, String> declared;
  private final boolean readMaps;

  /**
   * @param declared paths (files or directories) with the reason shown when one is refused; the
   *     first that matches gives the reason
   * @param readMaps also protect every file mapped into this process
   */
  ProtectedFiles(Map<Path, String> declared, boolean readMaps) {
    // In the given order: the first match gives the reason, so more specific entries come first.
    this.declared = Collections.unmodifiableMap(new LinkedHashMap<>(declared));
    this.readMaps = readMaps;
  }

  /**
   * The agent's protected files.
   *
   * @param response the response section (vault, protected paths, nft)
   * @param stateDir {@code agent.state_dir}
   * @param configFile the agent's configuration file, when it was started with one
   */
  public static ProtectedFiles forAgent(
      ResponseSection response, Path stateDir, Optional<Path> configFile) {
    return forAgent(response, stateDir, configFile, List.of());
  }

  /**
   * The agent's protected files.
   *
   * @param response the response section (vault, protected paths, nft)
   * @param stateDir {@code agent.state_dir}
   * @param configFile the agent's configuration file, when it was started with one
   * @param credentialFiles what the agent needs to reach its collector: {@code
   *     collector.cert_file}, {@code key_file}, {@code ca_file} and the enrolled address file,
   *     wherever they are (without them the agent cannot reconnect, so no command, not even a
   *     restore, could reach it)
   */
  public static ProtectedFiles forAgent(
      ResponseSection response,
      Path stateDir,
      Optional<Path> configFile,
      List<Path> credentialFiles) {
    Map<Path, String> m = new LinkedHashMap<>();
    Path javaHome = Path.of(System.getProperty("java.home"));
    m.put(javaHome, "the Java runtime the agent runs on");
    for (Path target : linkTargetsOutside(javaHome, MAX_SEARCHED)) {
      // Debian's JRE links conf/ files to /etc/java-17-openjdk: the runtime reads them there.
      m.putIfAbsent(target, "part of the Java runtime the agent runs on, linked from java.home");
    }
    installDirectory().ifPresent(d -> m.put(d, "the agent's install directory"));
    String home = System.getProperty("vigil.home");
    if (home != null && home.startsWith("/")) {
      m.put(Path.of(home), "the agent's home (vigil.home)");
    }
    m.put(response.vault(), "the quarantine vault");
    m.put(stateDir, "the agent's state directory");
    configFile.ifPresent(c -> m.put(c.toAbsolutePath(), "the agent's configuration file"));
    for (Path c : credentialFiles) {
      m.putIfAbsent(
          c.toAbsolutePath(),
          "what the agent needs to reach its collector (its key, certificates or"
              + " enrolled address)");
    }
    m.put(response.nft(), "the nft tool isolation needs");
    // Its libraries too (libnftables, libnftnl, libmnl, libjansson, ...): they are not mapped into
    // the agent, and without them release fails until someone thinks of restoring them.
    for (Path lib : SharedLibraries.closure(response.nft(), SharedLibraries.searchPath())) {
      m.putIfAbsent(lib, "a library the nft tool isolation needs");
    }
    for (Path p : response.protectedPaths()) {
      m.putIfAbsent(p, "listed in response.protected_paths");
    }
    for (String e : ESSENTIALS) {
      m.putIfAbsent(Path.of(e), "a file the host needs to boot or to let anyone log in");
    }
    return new ProtectedFiles(m, true);
  }

  /**
   * The real locations of the symbolic links under {@code dir} that lead outside it, looking at no
   * more than {@code max} entries.
   */
  static List<Path> linkTargetsOutside(Path dir, int max) {
    List<Path> out = new ArrayList<>();
    Path root = real(dir);
    try (var walk = Files.walk(dir)) {
      walk.limit(max)
          .filter(Files::isSymbolicLink)
          .forEach(
              link -> {
                Path target = real(link);
                if (!target.equals(link) && !target.startsWith(root)) {
                  out.add(target);
                }
              });
    } catch (IOException | java.io.UncheckedIOException e) {
      // an unreadable runtime directory: what was found so far is kept
    }
    return out;
  }

  /** The directory of the jar the agent runs from (or its classes directory). */
  static Optional<Path> installDirectory() {
    try {
      var source = ProtectedFiles.class.getProtectionDomain().getCodeSource();
      if (source == null) {
        return Optional.empty();
      }
      Path p = Path.of(source.getLocation().toURI());
      return Optional.of(Files.isDirectory(p) ? p : p.getParent());
    } catch (URISyntaxException | IllegalArgumentException | SecurityException e) {
      return Optional.empty(); // not from a file: the maps still cover the loaded jar
    }
  }

  /**
   * Why {@code realPath} must not be quarantined, or empty when it may be.
   *
   * @param realPath the file with its parent directories resolved
   * @throws IOException when the file or {@code /proc/self/maps} cannot be read
   */
  public Optional<String> reasonFor(Path realPath) throws IOException {
    return reasonFor(realPath, realPath, LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Why {@code realPath} must not be quarantined, or empty when it may be, with the file's inode
   * read from {@code handle} ({@code /proc/self/fd/N} of a descriptor on it), not from the path.
   *
   * @param realPath where the file is: the real path of its directory and its name
   * @param handle {@code /proc/self/fd/N} of a descriptor on the file
   */
  public Optional<String> reasonFor(Path realPath, Path handle) throws IOException {
    return reasonFor(realPath, handle, new LinkOption[0]);
  }

  private Optional<String> reasonFor(Path realPath, Path inodeOf, LinkOption... options)
      throws IOException {
    Map<String, Object> a = Files.readAttributes(inodeOf, "unix:dev,ino,nlink", options);
    Object fileKey = Files.readAttributes(inodeOf, BasicFileAttributes.class, options).fileKey();
    Map<Object, String> byInode = new HashMap<>();
    List<Map.Entry<Path, String>> directories = new ArrayList<>();
    for (Map.Entry<Path, String> e : declared.entrySet()) {
      Path real = real(e.getKey());
      String reason = e.getValue() + " (" + real + ")";
      if (realPath.startsWith(real) || realPath.startsWith(e.getKey())) {
        return Optional.of(reason);
      }
      inode(real).ifPresent(k -> byInode.putIfAbsent(k, reason));
      if (Files.isDirectory(real, LinkOption.NOFOLLOW_LINKS) && !PSEUDO.contains(real)) {
        directories.add(Map.entry(real, reason));
      }
    }
    if (readMaps) {
      for (Path mapped : mappedFiles()) {
        if (realPath.equals(mapped)) {
          return Optional.of("mapped into the agent's process (" + mapped + ")");
        }
        inode(mapped)
            .ifPresent(
                k -> byInode.putIfAbsent(k, "mapped into the agent's process (" + mapped + ")"));
      }
    }
    String linked = fileKey == null ? null : byInode.get(fileKey);
    if (linked == null && (Integer) a.get("nlink") > 1 && fileKey != null) {
      // Another name of this inode may lie inside a protected directory; the vault would lock
      // it (mode 0000) under that name too. Hard links stay on one filesystem: only those are
      // searched.
      linked = HardLinkSearch.find(fileKey, (Long) a.get("dev"), directories, MAX_SEARCHED);
    }
    return linked == null ? Optional.empty() : Optional.of("a hard link to " + linked);
  }

  /** The real location of {@code p}, or {@code p} when it does not exist. */
  private static Path real(Path p) {
    try {
      return p.toRealPath();
    } catch (IOException e) {
      return p;
    }
  }

  private static Optional<Object> inode(Path p) {
    try {
      BasicFileAttributes a =
          Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return a.isRegularFile() ? Optional.ofNullable(a.fileKey()) : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Files mapped into this process, from {@code /proc/self/maps} (already real paths). */
  static Set<Path> mappedFiles() throws IOException {
    Set<Path> out = new LinkedHashSet<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      int slash = line.indexOf('/');
      if (slash < 0) {
        continue;
      }
      String p = line.substring(slash);
      if (p.endsWith(" (deleted)")) {
        p = p.substring(0, p.length() - " (deleted)".length());
      }
      out.add(Path.of(p));
    }
    return out;
  }
}
