package io.vigil.collector.output;

import io.vigil.collector.store.NewAlert;

/**
 * An alert the store has just raised (not one folded into an earlier alert by suppression), with
 * where it is stored, for the alert outputs. Immutable.
 *
 * @param hostname the agent's host name, or its id when it never said one
 * @param processJson the acting process with its parent chain as stored, or null
 */
public record RaisedAlert(
    long alertId,
    String agentId,
    String hostname,
    long seq,
    int eventKind,
    long eventTimeNs,
    long storedNs,
    NewAlert alert,
    String processJson) {}
