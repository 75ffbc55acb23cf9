package io.vigil.agent.packet.http;

/**
 * A request and the response paired with it in order. Either side may be missing: a request never
 * answered (emitted when the connection ends, or when too many wait) has a null response; a
 * response whose request was not seen (the capture started mid-connection, or the client's
 * direction was given up) has a null request. Never both null.
 */
public record HttpTransaction(HttpRequest request, HttpResponse response) {}
