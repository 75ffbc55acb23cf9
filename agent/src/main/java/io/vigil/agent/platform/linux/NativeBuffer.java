package io.vigil.agent.platform.linux;

import com.sun.jna.Memory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A fixed block of native memory that notification descriptors read into: native, not a Java array,
 * because a blocking {@code read} into a pinned array would hold up garbage collection. Keeps JNA's
 * types inside this package. Not thread-safe; {@link #close} frees it (idempotent).
 */
public final class NativeBuffer implements AutoCloseable {
  final Memory memory;

  public NativeBuffer(int bytes) {
    this.memory = new Memory(bytes);
  }

  /** The first {@code length} bytes, in native order; valid until the next read or close. */
  public ByteBuffer view(int length) {
    return memory.getByteBuffer(0, length).order(ByteOrder.nativeOrder());
  }

  /** Capacity in bytes. */
  public long size() {
    return memory.size();
  }

  @Override
  public void close() {
    memory.close();
  }
}
