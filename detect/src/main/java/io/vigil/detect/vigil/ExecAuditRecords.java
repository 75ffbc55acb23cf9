package io.vigil.detect.vigil;

import io.vigil.detect.sigma.match.SigmaFields;
import io.vigil.proto.v1.ProcessExec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A {@link ProcessExec} as the auditd records an execve produces, so SigmaHQ's {@code service:
 * auditd} EXECVE/SYSCALL/PATH rules run on Vigil's exec events whichever source observed them:
 *
 * <ul>
 *   <li>{@code SYSCALL}: {@code SYSCALL=execve} (execveat is reported as execve: the event does not
 *       tell them apart), {@code success=yes}, {@code exe}, {@code comm} (the image's base name cut
 *       to the kernel's 15 characters; differs from the kernel's when the program was started
 *       through a symlink), {@code pid}, {@code ppid}, {@code uid}, {@code gid}, {@code euid},
 *       {@code suid}, {@code fsuid}, {@code egid}, {@code auid}, {@code ses}, {@code tty};
 *   <li>{@code EXECVE}: {@code argc}, {@code a0}..{@code aN};
 *   <li>{@code CWD}: {@code cwd};
 *   <li>{@code PATH}: the executable as item 0 ({@code name}, {@code nametype=NORMAL}, {@code
 *       inode}).
 * </ul>
 *
 * The rule {@code key} is absent: exec events do not carry it. Each record answers a field from the
 * event when asked, so the fields no rule reads are never formatted (the engine presents every exec
 * this way, several hundred thousand times a second). As in a record of an audit message, a field
 * whose text is empty is absent. Immutable; thread-safe.
 */
final class ExecAuditRecords {
  private static final int COMM_LEN = 15;

  private ExecAuditRecords() {}

  static List<SigmaFields> of(ProcessExec e) {
    return List.of(new Syscall(e), new Execve(e), new Cwd(e), new PathItem(e));
  }

  /** A record's fields, in the order auditd writes them, with their text ("" when empty). */
  private abstract static class Record implements SigmaFields {
    final ProcessExec e;

    Record(ProcessExec e) {
      this.e = e;
    }

    abstract String type();

    /** The field's text; null when the record does not have it. */
    abstract String text(String field);

    /** The texts of the record's fields, in order ("" for an empty one), for keyword searches. */
    abstract void addTexts(List<String> out);

    @Override
    public final List<Object> values(String field) {
      String v = field.equals("type") ? type() : text(field);
      return v == null || v.isEmpty() ? List.of() : List.of(v);
    }

    @Override
    public final Iterable<String> allStrings() {
      List<String> out = new ArrayList<>(e.getArgsCount() + 16);
      out.add(type());
      addTexts(out);
      return out;
    }

    @Override
    public String toString() {
      return "AuditRecord[" + type() + " of exec " + e.getProcess().getImage() + "]";
    }
  }

  private static final class Syscall extends Record {
    private static final List<String> BASE =
        List.of("SYSCALL", "success", "exe", "comm", "pid", "ppid");
    private static final List<String> IDS =
        List.of("uid", "gid", "euid", "suid", "fsuid", "egid", "auid", "ses");
    private static final Set<String> NAMES = names(BASE, IDS, List.of("tty"));

    Syscall(ProcessExec e) {
      super(e);
    }

    @Override
    String type() {
      return "SYSCALL";
    }

    @Override
    public Set<String> fieldNames() {
      return NAMES;
    }

    @Override
    String text(String field) {
      return switch (field) {
        case "SYSCALL" -> "execve";
        case "success" -> "yes";
        case "exe" -> e.getProcess().getImage();
        case "comm" -> comm(e.getProcess().getImage());
        case "pid" -> positive(e.hasProcess() ? e.getProcess().getPid() : 0);
        case "ppid" -> positive(e.hasParent() ? e.getParent().getPid() : 0);
        case "uid" -> id(e.getProcess().getUid());
        case "gid" -> id(e.getGid());
        case "euid" -> id(e.getEuid());
        case "suid" -> id(e.getSuid());
        case "fsuid" -> id(e.getFsuid());
        case "egid" -> id(e.getEgid());
        case "auid" -> id(e.getAuid());
        case "ses" -> id(e.getSessionId());
        case "tty" -> e.getTty().isEmpty() ? "(none)" : e.getTty().replace("/", "");
        default -> null;
      };
    }

    /** The ids are only known with the process. */
    private String id(int value) {
      return e.hasProcess() ? Integer.toUnsignedString(value) : null;
    }

    @Override
    void addTexts(List<String> out) {
      for (String n : BASE) {
        String t = text(n);
        if (t != null) {
          out.add(t);
        }
      }
      if (e.hasProcess()) {
        for (String n : IDS) {
          out.add(text(n));
        }
      }
      out.add(text("tty"));
    }
  }

  private static final class Execve extends Record {
    /** The names of an EXECVE record with 0, 1, 2, ... arguments (longer ones: not said). */
    private static final List<Set<String>> BY_ARGC = byArgc(64);

    Execve(ProcessExec e) {
      super(e);
    }

    @Override
    String type() {
      return "EXECVE";
    }

    @Override
    public Set<String> fieldNames() {
      int n = e.getArgsCount();
      return n < BY_ARGC.size() ? BY_ARGC.get(n) : null;
    }

    @Override
    String text(String field) {
      if (field.equals("argc")) {
        return Integer.toString(e.getArgsCount());
      }
      int i = argIndex(field);
      return i >= 0 && i < e.getArgsCount() ? e.getArgs(i) : null;
    }

    @Override
    void addTexts(List<String> out) {
      int n = e.getArgsCount();
      out.add(Integer.toString(n));
      for (int i = 0; i < n; i++) {
        out.add(e.getArgs(i));
      }
    }

    private static List<Set<String>> byArgc(int max) {
      List<Set<String>> out = new ArrayList<>(max + 1);
      List<String> names = new ArrayList<>(List.of("type", "argc"));
      for (int n = 0; n <= max; n++) {
        out.add(Set.copyOf(names));
        names.add("a" + n);
      }
      return List.copyOf(out);
    }

    /** {@code aN} as auditd writes it (no leading zeros) → N; -1 for any other name. */
    private static int argIndex(String field) {
      int n = field.length();
      if (n < 2 || n > 10 || field.charAt(0) != 'a' || (field.charAt(1) == '0' && n > 2)) {
        return -1;
      }
      int i = 0;
      for (int k = 1; k < n; k++) {
        char c = field.charAt(k);
        if (c < '0' || c > '9') {
          return -1;
        }
        i = i * 10 + (c - '0');
      }
      return i;
    }
  }

  private static final class Cwd extends Record {
    private static final Set<String> NAMES = Set.of("type", "cwd");

    Cwd(ProcessExec e) {
      super(e);
    }

    @Override
    String type() {
      return "CWD";
    }

    @Override
    public Set<String> fieldNames() {
      return NAMES;
    }

    @Override
    String text(String field) {
      return field.equals("cwd") ? e.getCwd() : null;
    }

    @Override
    void addTexts(List<String> out) {
      out.add(e.getCwd());
    }
  }

  private static final class PathItem extends Record {
    private static final Set<String> NAMES = Set.of("type", "item", "name", "nametype", "inode");

    PathItem(ProcessExec e) {
      super(e);
    }

    @Override
    String type() {
      return "PATH";
    }

    @Override
    public Set<String> fieldNames() {
      return NAMES;
    }

    @Override
    String text(String field) {
      return switch (field) {
        case "item" -> "0";
        case "name" -> e.getProcess().getImage();
        case "nametype" -> "NORMAL";
        case "inode" -> e.getExeInode() != 0 ? Long.toUnsignedString(e.getExeInode()) : null;
        default -> null;
      };
    }

    @Override
    void addTexts(List<String> out) {
      out.add("0");
      out.add(e.getProcess().getImage());
      out.add("NORMAL");
      if (e.getExeInode() != 0) {
        out.add(Long.toUnsignedString(e.getExeInode()));
      }
    }
  }

  @SafeVarargs
  private static Set<String> names(List<String>... parts) {
    Set<String> out = new HashSet<>(List.of("type"));
    for (List<String> p : parts) {
      out.addAll(p);
    }
    return Set.copyOf(out);
  }

  private static String comm(String image) {
    int from = image.lastIndexOf('/') + 1;
    return image.substring(from, Math.min(image.length(), from + COMM_LEN));
  }

  private static String positive(long v) {
    return v > 0 ? Long.toString(v) : null;
  }
}
