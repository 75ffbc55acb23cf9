package io.vigil.agent.packet.http;

/**
 * HTTP parsing counters at one moment (summed over every parser sharing one {@link HttpCounters}).
 *
 * @param requests request header sections parsed
 * @param responses final response header sections parsed (1xx other than 101 excluded)
 * @param interimResponses 1xx responses other than 101 (skipped: the final one follows)
 * @param transactions transactions emitted
 * @param unanswered requests emitted without a response (connection ended, or too many waited)
 * @param responsesWithoutRequest responses emitted without a request
 * @param pendingOverflow requests emitted unanswered because {@link HttpOptions#maxPendingRequests}
 *     were already waiting
 * @param upgrades 101 responses: the connection left HTTP/1.x (WebSocket, h2c)
 * @param tunnels CONNECT requests answered 2xx
 * @param headerTooLong directions given up: a header or trailer section over the bound
 * @param badStartLines directions given up: a request or status line that is not HTTP/1.x
 * @param badChunks directions given up: a chunk-size line that is not one
 * @param gapsInHeaders directions given up: bytes lost where framing had to be read (header,
 *     chunk-size or trailer lines, between messages, or a gap past a body's end)
 * @param gapsInBody gaps that only shortened a body
 * @param badLengths messages with an invalid Content-Length, or several that disagree
 * @param truncatedMessages messages with at least one field cut at its bound
 * @param incompleteHeads header sections the connection's end cut short (dropped)
 * @param stashDropped client bytes dropped past {@link HttpOptions#maxStashBytes} or after a gap
 *     while waiting for a CONNECT or Upgrade response
 */
public record HttpStats(
    long requests,
    long responses,
    long interimResponses,
    long transactions,
    long unanswered,
    long responsesWithoutRequest,
    long pendingOverflow,
    long upgrades,
    long tunnels,
    long headerTooLong,
    long badStartLines,
    long badChunks,
    long gapsInHeaders,
    long gapsInBody,
    long badLengths,
    long truncatedMessages,
    long incompleteHeads,
    long stashDropped) {}
