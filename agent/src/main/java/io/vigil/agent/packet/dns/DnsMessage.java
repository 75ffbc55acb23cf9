package io.vigil.agent.packet.dns;

import java.util.List;

/**
 * A parsed DNS message: the header, the questions and the answer section (bounded), and why parsing
 * stopped early when it did. Authority and additional records are walked (for EDNS) but not kept.
 *
 * @param headerComplete false when the bytes end inside the 12-byte header: nothing else is set
 * @param id the message id
 * @param flags the 16 header flag bits as on the wire (QR, opcode, AA, TC, RD, RA, Z, AD, CD,
 *     rcode)
 * @param rcode the response code: the header's 4 bits, extended by the EDNS OPT record's upper 8
 *     bits when the message has one (RFC 6891 6.1.3)
 * @param questionCount QDCOUNT from the header
 * @param answerCount ANCOUNT from the header
 * @param authorityCount NSCOUNT from the header
 * @param additionalCount ARCOUNT from the header
 * @param questions the questions parsed, at most {@link DnsParser#MAX_QUESTIONS_KEPT}
 * @param answers the answer records parsed, at most {@link DnsParser#MAX_ANSWERS_KEPT}
 * @param ednsUdpSize the requestor's UDP payload size from an OPT record, -1 when there is none
 * @param malformed why parsing stopped or what was wrong, null when the message parsed fully
 */
public record DnsMessage(
    boolean headerComplete,
    int id,
    int flags,
    int rcode,
    int questionCount,
    int answerCount,
    int authorityCount,
    int additionalCount,
    List<DnsQuestion> questions,
    List<DnsResourceRecord> answers,
    int ednsUdpSize,
    DnsMalformed malformed) {

  public DnsMessage {
    questions = List.copyOf(questions);
    answers = List.copyOf(answers);
  }

  /** QR: this is a response. */
  public boolean isResponse() {
    return (flags & 0x8000) != 0;
  }

  /** The opcode (0 QUERY, 4 NOTIFY, 5 UPDATE, ...). */
  public int opcode() {
    return (flags >>> 11) & 0xf;
  }

  /** AA: the answer is authoritative. */
  public boolean authoritative() {
    return (flags & 0x0400) != 0;
  }

  /** TC: the message was truncated by the sender. */
  public boolean truncated() {
    return (flags & 0x0200) != 0;
  }

  /** RD: recursion desired. */
  public boolean recursionDesired() {
    return (flags & 0x0100) != 0;
  }

  /** RA: recursion available. */
  public boolean recursionAvailable() {
    return (flags & 0x0080) != 0;
  }

  /** The response code as text ("NOERROR", "NXDOMAIN", "RCODE42"). */
  public String rcodeName() {
    return DnsNames.rcode(rcode);
  }

  /**
   * Answer records in the header that are not in {@link #answers} (over the bound, or unparsed).
   */
  public int answersNotKept() {
    return Math.max(0, answerCount - answers.size());
  }

  /** The first question, or null when the message has none (or it could not be parsed). */
  public DnsQuestion question() {
    return questions.isEmpty() ? null : questions.get(0);
  }
}
