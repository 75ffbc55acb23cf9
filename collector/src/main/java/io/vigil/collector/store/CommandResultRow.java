package io.vigil.collector.store;

/** A command result as first received; {@code payload} is the serialized CommandResult. */
public record CommandResultRow(
    String agentId,
    String commandId,
    String outcome,
    String detail,
    long finishedNs,
    long receivedNs,
    byte[] payload) {}
