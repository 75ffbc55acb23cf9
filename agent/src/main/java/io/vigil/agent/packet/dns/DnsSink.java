package io.vigil.agent.packet.dns;

import io.vigil.proto.v1.DnsEvent;

/** Receives DNS events from {@link DnsTransactions}, on the thread that calls it. */
public interface DnsSink {
  /**
   * One query with its response, a query left unanswered, or a response without a query seen.
   *
   * @param timestampNs when the event happened, UTC ns of packet time: the query's time when a
   *     query was seen, else the response's
   */
  void dns(DnsEvent e, long timestampNs);
}
