package io.vigil.agent.sensor.process.procfs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * The stable id of a process ({@code ProcessRef.entity_id}).
 *
 * <p>A pid alone is not an identity: the kernel reuses pids, often within seconds on a busy host,
 * so joining events by pid would merge two unrelated processes. A pid together with its start time
 * (in clock ticks since boot) is unique within one boot, and the boot id makes it unique across
 * reboots, when start times start again at zero. Hashing keeps the id opaque and fixed-length.
 * Stateless; thread-safe.
 */
public final class EntityIds {
  /** 16 bytes of SHA-256: collisions are out of reach for any realistic number of processes. */
  private static final int ID_BYTES = 16;

  private EntityIds() {}

  /**
   * The id for process {@code pid} started {@code startTicks} after the boot {@code bootId} (from
   * {@code /proc/sys/kernel/random/boot_id}), as 32 lower-case hex digits.
   */
  public static String of(String bootId, int pid, long startTicks) {
    return digest(bootId + '\0' + Integer.toUnsignedString(pid) + '\0' + startTicks);
  }

  /**
   * The id of the {@code execGeneration}-th image of a process: generation 0 (the forked copy of
   * the parent) and 1 (its first exec) share {@link #of(String, int, long)}; every later exec
   * without a fork (generation 2, 3, ...) gets an id of its own, so that the images of one pid are
   * told apart.
   */
  public static String of(String bootId, int pid, long startTicks, int execGeneration) {
    if (execGeneration <= 1) {
      return of(bootId, pid, startTicks);
    }
    return digest(
        bootId
            + '\0'
            + Integer.toUnsignedString(pid)
            + '\0'
            + startTicks
            + '\0'
            + "exec"
            + execGeneration);
  }

  private static String digest(String input) {
    MessageDigest sha256;
    try {
      sha256 = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform must provide SHA-256", e);
    }
    // NUL-separated so that no two different inputs collide by concatenation.
    byte[] digest = sha256.digest(input.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(Arrays.copyOf(digest, ID_BYTES));
  }
}
