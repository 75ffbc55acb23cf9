package io.vigil.agent.sensor.network;

import io.vigil.proto.v1.Transport;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What {@link AuditConnections} asks about the socket behind a descriptor named in an audit record.
 * Answers are best effort: by the time an audit record is read the process may have closed the
 * descriptor or exited. Implementations are thread-safe and fast (a readlink or one system call).
 */
public interface SocketLookup {

  /** The inode of the socket open as {@code fd} in {@code pid}, if it is still open. */
  OptionalLong inode(int pid, long fd);

  /** TCP or UDP for the socket open as {@code fd} in {@code pid}; unspecified when unknown. */
  Transport transport(int pid, long fd);

  /** The listening socket with this inode in the latest snapshot. */
  Optional<SocketEntry> listening(long inode);
}
