package io.vigil.agent.platform.linux;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;

/**
 * {@code recv(2)} bound with JNA direct mapping, for the netlink sockets that receive one datagram
 * per kernel event (several thousand a second in an exec storm). An interface-mapped call goes
 * through a dynamic proxy, reflection and per-argument conversion; a directly mapped static native
 * method skips all of that. Load this class only on 64-bit Linux: {@code size_t} and {@code
 * ssize_t} are mapped to Java {@code long}. Thread-safe (stateless); {@code Native.getLastError()}
 * gives {@code errno} after a failed call, as for interface-mapped calls.
 */
final class SocketReceive {
  static {
    Native.register(SocketReceive.class, NativeLibrary.getInstance("c"));
  }

  private SocketReceive() {}

  /** {@code ssize_t recv(int fd, void *buf, size_t len, int flags)}. */
  static native long recv(int fd, Pointer buf, long len, int flags);
}
