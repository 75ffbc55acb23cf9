package io.vigil.agent.sensor.file.source;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vigil.agent.platform.linux.Errno;
import org.junit.jupiter.api.Test;

class FailureReasonsTest {
  @Test
  void fanotifyErrnosAreExplainedPerCall() {
    assertEquals("needs CAP_SYS_ADMIN", FailureReasons.fanotifyHint("fanotify_init", Errno.EPERM));
    assertEquals(
        "kernel built without CONFIG_FANOTIFY",
        FailureReasons.fanotifyHint("fanotify_init", Errno.ENOSYS));
    assertEquals(
        "kernel older than 5.9: no FAN_REPORT_DIR_FID or FAN_REPORT_NAME",
        FailureReasons.fanotifyHint("fanotify_init", Errno.EINVAL));
    assertEquals(
        "filesystem marks need CAP_SYS_ADMIN",
        FailureReasons.fanotifyHint("fanotify_mark(FAN_MARK_FILESYSTEM, /x)", Errno.EPERM));
    assertEquals(
        "the filesystem cannot encode file handles",
        FailureReasons.fanotifyHint("fanotify_mark(FAN_MARK_FILESYSTEM, /x)", Errno.EOPNOTSUPP));
    assertEquals(
        "the filesystem reports no fsid",
        FailureReasons.fanotifyHint("fanotify_mark(FAN_MARK_FILESYSTEM, /x)", Errno.ENODEV));
    assertEquals("", FailureReasons.fanotifyHint("fanotify_init", 1234));
  }
}
