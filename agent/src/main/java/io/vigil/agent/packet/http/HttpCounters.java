package io.vigil.agent.packet.http;

/**
 * The running counters of HTTP parsing, shared by the parsers of one thread (plain fields, not
 * thread-safe). {@link #snapshot} copies them out.
 */
public final class HttpCounters {
  long requests;
  long responses;
  long interimResponses;
  long transactions;
  long unanswered;
  long responsesWithoutRequest;
  long pendingOverflow;
  long upgrades;
  long tunnels;
  long headerTooLong;
  long badStartLines;
  long badChunks;
  long gapsInHeaders;
  long gapsInBody;
  long badLengths;
  long truncatedMessages;
  long incompleteHeads;
  long stashDropped;

  public HttpStats snapshot() {
    return new HttpStats(
        requests,
        responses,
        interimResponses,
        transactions,
        unanswered,
        responsesWithoutRequest,
        pendingOverflow,
        upgrades,
        tunnels,
        headerTooLong,
        badStartLines,
        badChunks,
        gapsInHeaders,
        gapsInBody,
        badLengths,
        truncatedMessages,
        incompleteHeads,
        stashDropped);
  }
}
