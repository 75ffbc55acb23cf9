package io.vigil.agent.sensor.process.audit.rules;

import java.io.IOException;
import java.util.List;

/**
 * The kernel's audit rule list, as raw {@code struct audit_rule_data} bytes. Implemented over the
 * audit netlink socket in production and by a list in tests. Blocking; not thread-safe.
 */
public interface RuleTable {
  /** Every rule the kernel holds, in its order. */
  List<byte[]> list() throws IOException;

  /** Adds a rule. */
  void add(byte[] rule) throws IOException;

  /** Deletes the rule equal to these bytes. */
  void delete(byte[] rule) throws IOException;
}
