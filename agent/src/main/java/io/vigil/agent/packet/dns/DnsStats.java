package io.vigil.agent.packet.dns;

import java.util.Map;

/**
 * Counters of a {@link DnsTransactions}, a snapshot.
 *
 * @param queries query messages seen (QR=0)
 * @param responses response messages seen (QR=1)
 * @param matched responses that matched an outstanding query
 * @param unanswered queries reported without a response (timed out, evicted or flushed)
 * @param unsolicited responses without an outstanding query
 * @param duplicateQueries queries with the key of one already outstanding (retransmissions): not
 *     reported again, the first one's time is kept
 * @param evicted outstanding queries pushed out because the table was full (also in unanswered)
 * @param tcpSplit TCP segments whose DNS bytes did not form whole messages (needs reassembly)
 * @param malformed messages with a {@link DnsMalformed} reason, by reason (only reasons seen)
 * @param outstanding queries waiting for a response now
 */
public record DnsStats(
    long queries,
    long responses,
    long matched,
    long unanswered,
    long unsolicited,
    long duplicateQueries,
    long evicted,
    long tcpSplit,
    Map<DnsMalformed, Long> malformed,
    int outstanding) {
  public DnsStats {
    malformed = Map.copyOf(malformed);
  }
}
