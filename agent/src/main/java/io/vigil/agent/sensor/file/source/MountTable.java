package io.vigil.agent.sensor.file.source;

import io.vigil.agent.platform.linux.PathStatus;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The mounts of {@code /proc/self/mountinfo}: to name the filesystem of a path in messages ("tmpfs
 * mounted at /dev/shm"), and to find the filesystems mounted inside a watched tree. Immutable.
 *
 * <p>Each line is {@code id parent major:minor root mount-point options [optional...] - fstype
 * source super-options}; root, mount point and source escape space, tab, newline and backslash as
 * octal ({@code \040}). Paths are decoded to the escaped text of {@link PathText}.
 */
public final class MountTable {
  // Kernel interfaces without files an attacker could plant and fanotify could watch.
  private static final Set<String> PSEUDO =
      Set.of(
          "proc",
          "sysfs",
          "cgroup",
          "cgroup2",
          "devpts",
          "mqueue",
          "debugfs",
          "tracefs",
          "securityfs",
          "pstore",
          "bpf",
          "configfs",
          "fusectl",
          "binfmt_misc",
          "autofs",
          "efivarfs",
          "nsfs",
          "rpc_pipefs",
          "hugetlbfs",
          "selinuxfs");

  /**
   * One mount.
   *
   * @param id mount id
   * @param parentId the id of the mount it is mounted on
   * @param device the filesystem's device number ({@code st_dev})
   * @param root the directory of the filesystem mounted here ({@code /} unless a bind mount)
   * @param mountPoint where it is mounted
   * @param fsType filesystem type, e.g. {@code ext4}
   * @param source the mount source, e.g. {@code /dev/vda1}
   */
  public record Mount(
      int id,
      int parentId,
      long device,
      String root,
      String mountPoint,
      String fsType,
      String source) {

    /** True for a kernel interface filesystem (proc, sysfs, cgroup, ...). */
    public boolean pseudo() {
      return PSEUDO.contains(fsType);
    }
  }

  private final List<Mount> mounts;
  private final int malformed;

  private MountTable(List<Mount> mounts, int malformed) {
    this.mounts = List.copyOf(mounts);
    this.malformed = malformed;
  }

  /** Reads {@code /proc/self/mountinfo}. */
  public static MountTable read() throws IOException {
    return parse(Files.readAllBytes(Path.of("/proc/self/mountinfo")));
  }

  /** Parses mountinfo content; malformed lines are skipped and counted. */
  public static MountTable parse(byte[] content) {
    List<Mount> out = new ArrayList<>();
    int malformed = 0;
    // ISO-8859-1 maps each byte to one char, so escapes are undone on the original bytes.
    String text = new String(content, StandardCharsets.ISO_8859_1);
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      Mount m = line(line);
      if (m == null) {
        malformed++;
      } else {
        out.add(m);
      }
    }
    return new MountTable(out, malformed);
  }

  private static Mount line(String line) {
    String[] f = line.split(" ");
    int dash = -1;
    for (int i = 6; i < f.length; i++) {
      if (f[i].equals("-")) {
        dash = i;
        break;
      }
    }
    if (f.length < 10 || dash < 0 || dash + 2 >= f.length) {
      return null;
    }
    int colon = f[2].indexOf(':');
    try {
      int id = Integer.parseInt(f[0]);
      int parent = Integer.parseInt(f[1]);
      long major = Long.parseLong(f[2].substring(0, Math.max(colon, 0)));
      long minor = Long.parseLong(f[2].substring(colon + 1));
      String root = unescape(f[3]);
      String point = unescape(f[4]);
      if (root == null || point == null || !point.startsWith("/")) {
        return null;
      }
      String source = unescape(f[dash + 2]);
      return new Mount(
          id,
          parent,
          PathStatus.makedev(major, minor),
          root,
          point,
          f[dash + 1],
          source == null ? "" : source);
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      return null;
    }
  }

  /** Undoes the kernel's {@code \ooo} escapes; null when one is cut short. */
  static String unescape(String field) {
    ByteArrayOutputStream b = new ByteArrayOutputStream(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c == '\\') {
        if (i + 3 >= field.length()) {
          return null;
        }
        int v = 0;
        for (int k = 1; k <= 3; k++) {
          char d = field.charAt(i + k);
          if (d < '0' || d > '7') {
            return null;
          }
          v = v * 8 + (d - '0');
        }
        b.write(v & 0xFF);
        i += 3;
      } else {
        b.write(c);
      }
    }
    return PathText.of(b.toByteArray());
  }

  /** All mounts, in the kernel's order (a later mount on the same point covers an earlier). */
  public List<Mount> mounts() {
    return mounts;
  }

  /** Lines that could not be parsed. */
  public int malformed() {
    return malformed;
  }

  /** The mount {@code path} is on: the deepest mount point above it, the last one listed. */
  public Optional<Mount> of(String path) {
    Mount best = null;
    for (Mount m : mounts) {
      if (PathText.under(path, m.mountPoint())
          && (best == null || m.mountPoint().length() >= best.mountPoint().length())) {
        best = m;
      }
    }
    return Optional.ofNullable(best);
  }

  /** Mounts whose mount point is strictly below {@code path}. */
  public List<Mount> below(String path) {
    List<Mount> out = new ArrayList<>();
    for (Mount m : mounts) {
      if (!m.mountPoint().equals(path) && PathText.under(m.mountPoint(), path)) {
        out.add(m);
      }
    }
    return out;
  }

  /**
   * True when {@code m} is a kernel-interface filesystem or mounted somewhere inside one (such as
   * the tmpfs of {@code /sys/fs/cgroup}).
   */
  public boolean pseudo(Mount m) {
    if (m.pseudo()) {
      return true;
    }
    for (Mount p : mounts) {
      if (p.pseudo() && PathText.under(m.mountPoint(), p.mountPoint())) {
        return true;
      }
    }
    return false;
  }

  /** {@code "<path> is on tmpfs mounted at /dev/shm"}, for messages. */
  public String describe(String path) {
    return of(path)
        .map(m -> path + " is on " + m.fsType() + " mounted at " + m.mountPoint())
        .orElse(path + " is on no mount listed in /proc/self/mountinfo");
  }
}
