package io.vigil.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Facts about the test JVM's own process and files, read the way the agent should read them. */
public final class Host {
  private Host() {}

  /** Whether the test JVM runs as root (real uid 0, read from /proc/self/status). */
  public static boolean isRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          return line.split("\\s+")[1].equals("0");
        }
      }
      return false;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Skips the calling test unless the JVM runs as root; with {@code CI=true} it fails instead (CI
   * runs as root), so that CI can never go green by skipping the kernel tests.
   */
  public static void requireRoot(String why) {
    if (isRoot()) {
      return;
    }
    if ("true".equals(System.getenv("CI"))) {
      throw new AssertionError(why + ", and CI=true: CI must run as root");
    }
    org.junit.jupiter.api.Assumptions.abort(why);
  }

  /** The test JVM's audit login uid ({@code /proc/self/loginuid}), 4294967295 when unset. */
  public static long loginUid() throws IOException {
    return Long.parseLong(Files.readString(Path.of("/proc/self/loginuid")).trim());
  }

  /** The test JVM's audit session id ({@code /proc/self/sessionid}), 4294967295 when unset. */
  public static long sessionId() throws IOException {
    return Long.parseLong(Files.readString(Path.of("/proc/self/sessionid")).trim());
  }

  /** The test JVM's pid. */
  public static long pid() {
    return ProcessHandle.current().pid();
  }

  /** The test JVM's executable, resolved ({@code /proc/self/exe}). */
  public static Path javaExecutable() throws IOException {
    return Path.of(ProcessHandle.current().info().command().orElseThrow()).toRealPath();
  }

  /** Lower-case hex SHA-256 of a file's content. */
  public static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
