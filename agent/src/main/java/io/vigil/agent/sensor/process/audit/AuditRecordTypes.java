package io.vigil.agent.sensor.process.audit;

import java.util.Map;

/**
 * Audit record type numbers ({@code linux/audit.h}) and their auditd names, for the types Vigil
 * reads. Log files name the type; netlink gives the number.
 */
public final class AuditRecordTypes {
  public static final int SYSCALL = 1300;
  public static final int PATH = 1302;
  public static final int SOCKADDR = 1306;
  public static final int CWD = 1307;
  public static final int EXECVE = 1309;
  public static final int EOE = 1320;
  public static final int PROCTITLE = 1327;

  /** Below this, messages come from user space or are kernel replies: never part of an event. */
  static final int FIRST_EVENT = 1300;

  /** From here on, again single-record user-space messages. */
  static final int FIRST_USER_MSG2 = 2100;

  private static final Map<String, Integer> BY_NAME =
      Map.ofEntries(
          Map.entry("SYSCALL", SYSCALL),
          Map.entry("PATH", PATH),
          Map.entry("IPC", 1303),
          Map.entry("SOCKETCALL", 1304),
          Map.entry("CONFIG_CHANGE", 1305),
          Map.entry("SOCKADDR", SOCKADDR),
          Map.entry("CWD", CWD),
          Map.entry("EXECVE", EXECVE),
          Map.entry("EOE", EOE),
          Map.entry("BPRM_FCAPS", 1321),
          Map.entry("CAPSET", 1322),
          Map.entry("MMAP", 1323),
          Map.entry("NETFILTER_PKT", 1324),
          Map.entry("NETFILTER_CFG", 1325),
          Map.entry("SECCOMP", 1326),
          Map.entry("PROCTITLE", PROCTITLE),
          Map.entry("USER_CMD", 1123),
          Map.entry("USER_START", 1105),
          Map.entry("USER_END", 1106),
          Map.entry("USER_LOGIN", 1112),
          Map.entry("LOGIN", 1006));

  private AuditRecordTypes() {}

  /**
   * The number for an auditd type name: a known name, or {@code UNKNOWN[n]} as auditd writes types
   * it cannot name; 0 when neither.
   */
  public static int number(String name) {
    Integer known = BY_NAME.get(name);
    if (known != null) {
      return known;
    }
    if (name.startsWith("UNKNOWN[") && name.endsWith("]") && name.length() <= 16) {
      try {
        return Integer.parseInt(name.substring(8, name.length() - 1));
      } catch (NumberFormatException e) {
        return 0;
      }
    }
    return 0;
  }

  /** The auditd name for a type number, {@code UNKNOWN[n]} when not in the table. */
  public static String name(int type) {
    for (Map.Entry<String, Integer> e : BY_NAME.entrySet()) {
      if (e.getValue() == type) {
        return e.getKey();
      }
    }
    return "UNKNOWN[" + type + "]";
  }

  /** True for types that the kernel never follows with more records of the same serial. */
  static boolean standalone(int type) {
    return type > 0 && (type < FIRST_EVENT || type >= FIRST_USER_MSG2);
  }
}
