package io.vigil.agent.platform.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Platform;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class SocketReceiveTest {
  private static final int EBADF = 9;

  @Test
  void failedReceiveReturnsMinusOneAndLeavesErrnoForTheCaller() {
    Assumptions.assumeTrue(Platform.isLinux() && Platform.is64Bit());
    try (Memory buf = new Memory(64)) {
      assertEquals(-1, SocketReceive.recv(-1, buf, 64, 0));
      assertEquals(EBADF, Native.getLastError());
    }
  }
}
