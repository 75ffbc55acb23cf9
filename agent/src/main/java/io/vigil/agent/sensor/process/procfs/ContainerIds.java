package io.vigil.agent.sensor.process.procfs;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds a container id in the text of {@code /proc/PID/cgroup}. Docker ({@code /docker/ID}, {@code
 * docker-ID.scope}), containerd ({@code /kubepods/.../ID}, {@code cri-containerd-ID.scope}), CRI-O
 * ({@code crio-ID.scope}) and Podman ({@code libpod-ID.scope}) all put the 64-hex id in the path,
 * delimited by characters that are not hex digits, so one pattern covers them. Stateless;
 * thread-safe.
 */
public final class ContainerIds {
  private static final Pattern ID = Pattern.compile("(?<![0-9a-f])[0-9a-f]{64}(?![0-9a-f])");

  private ContainerIds() {}

  /**
   * The container id, or {@code ""} when no line names one (a process on the host). Within a line
   * the last id wins, because nested containers append the inner one.
   */
  public static String fromCgroup(String cgroup) {
    for (String line : cgroup.split("\n")) {
      // "hierarchy-id:controllers:path"; the path may itself contain ':'.
      int first = line.indexOf(':');
      int second = first < 0 ? -1 : line.indexOf(':', first + 1);
      if (second < 0) {
        continue;
      }
      Matcher m = ID.matcher(line.substring(second + 1));
      String last = null;
      while (m.find()) {
        last = m.group();
      }
      if (last != null) {
        return last;
      }
    }
    return "";
  }
}
