package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.jna.Platform;
import java.io.IOException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class NetlinkLibcTest {
  private static final int EBADF = 9;

  private static final NetlinkLibc.Failure PROC =
      NetlinkLibc.needing("proc connector", "CAP_NET_ADMIN", NetlinkLibc.PLAIN);

  @Test
  void permissionRefusalsNameTheCapability() {
    assertEquals(
        "proc connector needs CAP_NET_ADMIN: send(LISTEN) failed with errno 1",
        PROC.of("send(LISTEN)", NetlinkLibc.EPERM).getMessage());
    assertEquals(
        "proc connector needs CAP_NET_ADMIN: bind(CN_IDX_PROC) failed with errno 13",
        PROC.of("bind(CN_IDX_PROC)", NetlinkLibc.EACCES).getMessage());
  }

  @Test
  void otherErrnosGoToTheFallbackFailure() {
    assertEquals("recv failed with errno 9", PROC.of("recv", EBADF).getMessage());
  }

  @Test
  void failedCloseReportsTheKernelsErrnoThroughTheCallersFailure() throws IOException {
    Assumptions.assumeTrue(Platform.isLinux() && Platform.is64Bit());
    NetlinkLibc.requireSupported("test");
    IOException e = assertThrows(IOException.class, () -> NetlinkLibc.close(-1, PROC));
    assertEquals("close failed with errno " + EBADF, e.getMessage());
  }
}
