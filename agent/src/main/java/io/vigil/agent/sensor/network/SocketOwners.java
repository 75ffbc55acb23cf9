package io.vigil.agent.sensor.network;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Maps socket inodes to the processes holding them, by reading the {@code socket:[INODE]} links
 * under {@code /proc/PID/fd}. A socket shared by several processes (inherited across fork) is
 * attributed to the first one found.
 *
 * <p>Thread-safe (immutable). Blocks on procfs reads: a full {@link #scan} took 6-16 ms for about
 * 76 processes here. Processes that exit during the scan are skipped; processes whose {@code fd}
 * directory is not readable (another user's, without root) are counted.
 */
public final class SocketOwners {
  private static final String PREFIX = "socket:[";

  /**
   * One scan's result.
   *
   * @param owners socket inode to pid
   * @param processes processes looked at
   * @param unreadable processes whose descriptors could not be listed (permission)
   * @param truncated a process, descriptor or socket limit was reached
   */
  public record Scan(Map<Long, Integer> owners, int processes, int unreadable, boolean truncated) {
    public Scan {
      owners = Map.copyOf(owners);
    }
  }

  private final Path procRoot;
  private final int maxProcesses;
  private final int maxFdsPerProcess;
  private final int maxSockets;

  /**
   * @param procRoot {@code /proc}, or a fixture directory in tests
   * @param maxProcesses processes scanned at most
   * @param maxFdsPerProcess descriptors of one process looked at at most
   * @param maxSockets sockets mapped at most
   */
  public SocketOwners(Path procRoot, int maxProcesses, int maxFdsPerProcess, int maxSockets) {
    if (maxProcesses < 1 || maxFdsPerProcess < 1 || maxSockets < 1) {
      throw new IllegalArgumentException("limits must be positive");
    }
    this.procRoot = procRoot;
    this.maxProcesses = maxProcesses;
    this.maxFdsPerProcess = maxFdsPerProcess;
    this.maxSockets = maxSockets;
  }

  /** Scans every process. */
  public Scan scan() {
    Map<Long, Integer> owners = new HashMap<>();
    int processes = 0;
    int unreadable = 0;
    boolean truncated = false;
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
      for (Path dir : dirs) {
        int pid = pidOf(dir.getFileName().toString());
        if (pid <= 0) {
          continue;
        }
        if (processes == maxProcesses) {
          truncated = true;
          break;
        }
        processes++;
        switch (scanProcess(pid, dir.resolve("fd"), owners)) {
          case UNREADABLE -> unreadable++;
          case TRUNCATED -> truncated = true;
          default -> {}
        }
      }
    } catch (IOException | RuntimeException e) {
      // procRoot itself unreadable: an empty, truncated scan says so without failing the snapshot
      truncated = true;
    }
    return new Scan(owners, processes, unreadable, truncated);
  }

  /**
   * The inode of the socket open as descriptor {@code fd} in process {@code pid}; empty when the
   * descriptor is closed, not a socket or not readable.
   */
  public OptionalLong socketInode(int pid, long fd) {
    if (pid <= 0 || fd < 0) {
      return OptionalLong.empty();
    }
    return inodeOf(fdPath(pid, fd));
  }

  /** {@code procRoot/PID/fd/FD}. */
  public Path fdPath(int pid, long fd) {
    return procRoot.resolve(Integer.toString(pid)).resolve("fd").resolve(Long.toString(fd));
  }

  private enum Outcome {
    OK,
    UNREADABLE,
    TRUNCATED
  }

  private Outcome scanProcess(int pid, Path fdDir, Map<Long, Integer> owners) {
    int fds = 0;
    try (DirectoryStream<Path> links = Files.newDirectoryStream(fdDir)) {
      for (Path link : links) {
        if (++fds > maxFdsPerProcess) {
          return Outcome.TRUNCATED;
        }
        OptionalLong inode = inodeOf(link);
        if (inode.isPresent() && !owners.containsKey(inode.getAsLong())) {
          if (owners.size() == maxSockets) {
            return Outcome.TRUNCATED;
          }
          owners.put(inode.getAsLong(), pid);
        }
      }
    } catch (AccessDeniedException e) {
      return Outcome.UNREADABLE;
    } catch (IOException | RuntimeException e) {
      // the process exited while we looked (ENOENT, ESRCH): nothing to attribute
    }
    return Outcome.OK;
  }

  private static OptionalLong inodeOf(Path link) {
    String target;
    try {
      target = Files.readSymbolicLink(link).toString();
    } catch (IOException | UnsupportedOperationException e) {
      return OptionalLong.empty();
    }
    if (!target.startsWith(PREFIX) || !target.endsWith("]") || target.length() > 40) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(
          Long.parseUnsignedLong(target.substring(PREFIX.length(), target.length() - 1)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static int pidOf(String name) {
    if (name.isEmpty() || name.length() > 10) {
      return -1;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return -1;
      }
    }
    long pid = Long.parseLong(name);
    return pid <= Integer.MAX_VALUE ? (int) pid : -1;
  }
}
