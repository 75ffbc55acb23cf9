package io.vigil.agent.sensor;

import io.vigil.proto.v1.TamperNotice;

/**
 * Where the parts of the agent that keep something in the kernel (the audit source's rules, the
 * containment's nftables table) report that somebody else undid it. The agent sends each notice in
 * a status event at once. Implementations never block and are safe to call from any thread.
 */
public interface TamperSink {

  /** Reports one notice; it goes out once, in the next agent status. */
  void report(TamperNotice notice);
}
