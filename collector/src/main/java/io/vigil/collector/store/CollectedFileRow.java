package io.vigil.collector.store;

/**
 * One file collected by a CollectFile command ({@code collected_files}). Immutable.
 *
 * @param agentId the agent that uploaded it
 * @param commandId the CollectFile command's id
 * @param path the file's path on the agent's host, as the agent named it
 * @param size bytes
 * @param sha256 SHA-256 of the content, lower-case hex
 * @param storedPath where the content is, relative to the database's directory, e.g. {@code
 *     collected/AGENT/COMMAND}
 * @param receivedNs when the upload completed, UTC ns
 */
public record CollectedFileRow(
    String agentId,
    String commandId,
    String path,
    long size,
    String sha256,
    String storedPath,
    long receivedNs) {}
