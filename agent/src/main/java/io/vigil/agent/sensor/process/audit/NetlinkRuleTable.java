package io.vigil.agent.sensor.process.audit;

import io.vigil.agent.platform.linux.AuditNetlinkSocket;
import io.vigil.agent.sensor.process.audit.rules.RuleTable;
import java.io.IOException;
import java.util.List;

/**
 * The kernel's audit rule list over a unicast {@link AuditNetlinkSocket}. Same threading as the
 * socket: one owner, blocking calls.
 */
public final class NetlinkRuleTable implements RuleTable {
  private final AuditNetlinkSocket socket;

  /** Uses {@code socket} (a unicast control socket, not owned: the caller closes it). */
  public NetlinkRuleTable(AuditNetlinkSocket socket) {
    this.socket = socket;
  }

  @Override
  public List<byte[]> list() throws IOException {
    return socket.listRules();
  }

  @Override
  public void add(byte[] rule) throws IOException {
    socket.addRule(rule);
  }

  @Override
  public void delete(byte[] rule) throws IOException {
    socket.deleteRule(rule);
  }
}
