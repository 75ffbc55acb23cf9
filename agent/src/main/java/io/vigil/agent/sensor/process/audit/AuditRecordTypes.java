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
          Map.entry("USER", 1005),
          Map.entry("USER_AUTH", 1100),
          Map.entry("USER_ACCT", 1101),
          Map.entry("USER_MGMT", 1102),
          Map.entry("CRED_ACQ", 1103),
          Map.entry("CRED_DISP", 1104),
          Map.entry("USER_AVC", 1107),
          Map.entry("USER_CHAUTHTOK", 1108),
          Map.entry("USER_ERR", 1109),
          Map.entry("CRED_REFR", 1110),
          Map.entry("USYS_CONFIG", 1111),
          Map.entry("USER_LOGOUT", 1113),
          Map.entry("ADD_USER", 1114),
          Map.entry("DEL_USER", 1115),
          Map.entry("ADD_GROUP", 1116),
          Map.entry("DEL_GROUP", 1117),
          Map.entry("CHGRP_ID", 1119),
          Map.entry("USER_TTY", 1124),
          Map.entry("CHUSER_ID", 1125),
          Map.entry("GRP_AUTH", 1126),
          Map.entry("SYSTEM_BOOT", 1127),
          Map.entry("SYSTEM_SHUTDOWN", 1128),
          Map.entry("SERVICE_START", 1130),
          Map.entry("SERVICE_STOP", 1131),
          Map.entry("GRP_MGMT", 1132),
          Map.entry("GRP_CHAUTHTOK", 1133),
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
