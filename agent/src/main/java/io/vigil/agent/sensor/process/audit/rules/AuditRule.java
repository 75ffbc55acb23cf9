package io.vigil.agent.sensor.process.audit.rules;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * One kernel audit rule as data: filter list, action, the syscalls it matches and its field
 * conditions in order (the kernel compares rules field by field, in order). Immutable; equal rules
 * encode to equal bytes.
 *
 * @param flags the filter list, e.g. {@link #FILTER_EXIT}
 * @param action e.g. {@link #ALWAYS}
 * @param syscalls syscall numbers, each below 2048
 * @param conditions field conditions, in order
 */
public record AuditRule(
    int flags, int action, SortedSet<Integer> syscalls, List<Condition> conditions) {
  /** {@code AUDIT_FILTER_EXIT}: evaluated at syscall exit. */
  public static final int FILTER_EXIT = 0x04;

  /** {@code AUDIT_ALWAYS}: log when the rule matches. */
  public static final int ALWAYS = 2;

  /** {@code AUDIT_PID}. */
  public static final int FIELD_PID = 0;

  /** {@code AUDIT_ARCH}. */
  public static final int FIELD_ARCH = 11;

  /** {@code AUDIT_SUCCESS}: value 1 for exit >= 0, 0 for failure. */
  public static final int FIELD_SUCCESS = 104;

  /**
   * {@code AUDIT_ARG0}: the first syscall argument (linux/audit.h; {@code AUDIT_ARG1..3} follow).
   */
  public static final int FIELD_ARG0 = 200;

  /** {@code saddr_fam}: the family of the socket address the syscall passed (Linux 5.3+). */
  public static final int FIELD_SADDR_FAM = 113;

  /** {@code AUDIT_FILTERKEY}: the rule's key, carried in the string buffer. */
  public static final int FIELD_KEY = 210;

  /** {@code AUDIT_EQUAL}. */
  public static final int EQUAL = 0x40000000;

  /** {@code AUDIT_NOT_EQUAL}. */
  public static final int NOT_EQUAL = 0x30000000;

  /** Longest key the kernel takes ({@code AUDIT_MAX_KEY_LEN}). */
  public static final int MAX_KEY_BYTES = 256;

  /** Syscall numbers the 64-word mask can hold. */
  public static final int MAX_SYSCALL = 64 * 32 - 1;

  /**
   * One field condition.
   *
   * @param field field number, e.g. {@link #FIELD_ARCH}
   * @param op operator, e.g. {@link #EQUAL}
   * @param value the numeric value; for a string field the kernel's {@code values[i]}, its length
   * @param text the string for string fields (key, watch path, ...), otherwise {@code null}
   */
  public record Condition(int field, int op, int value, String text) {
    /** {@code -F arch=...}. */
    public static Condition arch(AuditArch arch) {
      return new Condition(FIELD_ARCH, EQUAL, arch.token(), null);
    }

    /** {@code -F pid!=N}. */
    public static Condition pidNot(int pid) {
      return new Condition(FIELD_PID, NOT_EQUAL, pid, null);
    }

    /** {@code -F success=1} or {@code =0}. */
    public static Condition success(boolean succeeded) {
      return new Condition(FIELD_SUCCESS, EQUAL, succeeded ? 1 : 0, null);
    }

    /** {@code -F a0=N}: the first syscall argument equals {@code value}. */
    public static Condition arg0(int value) {
      return new Condition(FIELD_ARG0, EQUAL, value, null);
    }

    /** {@code -F saddr_fam=family}: only syscalls whose socket address has this family. */
    public static Condition socketFamily(int family) {
      return new Condition(FIELD_SADDR_FAM, EQUAL, family, null);
    }

    /** {@code -F key=...}; the value is the key's UTF-8 length. */
    public static Condition key(String key) {
      int len = AuditRuleCodec.utf8(key).length;
      if (len == 0 || len > MAX_KEY_BYTES) {
        throw new IllegalArgumentException("audit key must be 1.." + MAX_KEY_BYTES + " bytes");
      }
      return new Condition(FIELD_KEY, EQUAL, len, key);
    }
  }

  public AuditRule {
    for (int nr : syscalls) {
      if (nr < 0 || nr > MAX_SYSCALL) {
        throw new IllegalArgumentException("syscall number out of range: " + nr);
      }
    }
    syscalls = Collections.unmodifiableSortedSet(new TreeSet<>(syscalls));
    conditions = List.copyOf(conditions);
    if (conditions.size() > AuditRuleCodec.MAX_FIELDS) {
      throw new IllegalArgumentException("at most " + AuditRuleCodec.MAX_FIELDS + " conditions");
    }
  }

  /**
   * {@code -a always,exit -F arch=A -S ... <conditions> -F key=K}: the shape of every Vigil rule.
   */
  public static AuditRule exitAlways(
      AuditArch arch, Set<Integer> syscalls, List<Condition> conditions, String key) {
    List<Condition> all = new ArrayList<>();
    all.add(Condition.arch(arch));
    all.addAll(conditions);
    all.add(Condition.key(key));
    return new AuditRule(FILTER_EXIT, ALWAYS, new TreeSet<>(syscalls), all);
  }

  /** The key of the rule (its first key condition), if any. */
  public Optional<String> key() {
    for (Condition c : conditions) {
      if (c.field() == FIELD_KEY) {
        return Optional.ofNullable(c.text());
      }
    }
    return Optional.empty();
  }
}
