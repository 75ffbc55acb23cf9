/**
 * The agent stream endpoint: the only package of the collector that talks gRPC to agents.
 *
 * <p>With TLS, every stream needs a client certificate issued by the collector's CA: {@code
 * AgentAuthInterceptor} checks it after the handshake (so a refusal carries its reason) and the
 * stream's agent id is the one it names; enrolment ({@code EnrollmentService}) is served on the
 * same port without a client certificate. The work behind both is in {@code
 * io.vigil.collector.trust}.
 *
 * <p>It parses agent messages leniently (so a malformed message gets a clear status and a log line
 * instead of a generic transport error), checks the Hello, answers with the resume point, hands
 * batches to {@link io.vigil.collector.ingest.IngestService} and acknowledges them only after they
 * are durably stored. Inbound flow control is manual: a stream gets a new message only when one of
 * its batches has been committed, so a slow store slows the agents down instead of filling the
 * collector's memory.
 *
 * <p>It also holds each stream to {@link io.vigil.collector.stream.StreamLimits}: message size
 * after decompression (refused with RESOURCE_EXHAUSTED, logged by {@code OversizedMessageLog}),
 * events per batch, command results per message and Hello fields ({@code MessageChecks}), and a
 * per-agent event rate that delays the next read instead of refusing ({@code AgentRateLimiter}),
 * shared by an agent's streams, of which it may have two at once ({@code AgentStreamSlots}). Batch
 * sizes and the Hello's size are checked on the wire bytes before a message is parsed ({@code
 * AgentMessageScan}). Enroll calls, which need no certificate, are bounded in number and duration
 * ({@code EnrollCallLimiter}). Refusals are logged escaped and throttled ({@code RefusalLog}).
 *
 * <p>The same service takes the files agents upload for CollectFile commands ({@code Upload},
 * {@link io.vigil.collector.stream.FileUploads}: only for a collect_file command of the uploading
 * agent, size and digest checked, stored under {@code <database dir>/collected}) and answers {@code
 * Probe}, the agent's round trip over a fresh connection after it isolates its host; both are
 * authenticated like the stream but take none of its slots.
 */
package io.vigil.collector.stream;
