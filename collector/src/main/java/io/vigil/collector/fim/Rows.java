package io.vigil.collector.fim;

import com.google.protobuf.InvalidProtocolBufferException;
import io.vigil.collector.store.FimWrites;
import io.vigil.proto.fim.FimDigest;
import io.vigil.proto.v1.FileState;
import io.vigil.proto.v1.FimEntry;
import java.nio.charset.StandardCharsets;

/** Mirror and staging rows as the shared integrity types, and digests over them. Stateless. */
final class Rows {
  /** The state of a path the mirror lacks: not existing, as the agent says of a new file. */
  static final FileState ABSENT = FileState.getDefaultInstance();

  private Rows() {}

  /** The UTF-8 bytes the store keys a path by. */
  static byte[] key(String path) {
    return path.getBytes(StandardCharsets.UTF_8);
  }

  static String path(byte[] key) {
    // The keys were encoded from strings protobuf had validated as UTF-8: this is exact.
    return new String(key, StandardCharsets.UTF_8);
  }

  /** The stored state; {@link #ABSENT} for null. */
  static FileState state(byte[] stored) {
    if (stored == null) {
      return ABSENT;
    }
    try {
      return FileState.parseFrom(stored);
    } catch (InvalidProtocolBufferException e) {
      // The collector wrote these bytes from a parsed FileState: only a damaged file gets here.
      throw new IllegalStateException("a stored integrity mirror state does not parse", e);
    }
  }

  /**
   * FimDigest of the agent's mirror. The rows come in path order from the store (BLOB keys, see the
   * schema); {@link FimDigest#add} checks that order and throws if it were ever different.
   */
  static String mirrorDigest(FimWrites store, String agentId) {
    FimDigest d = new FimDigest();
    store.forEachMirrored(agentId, (path, state) -> d.add(entry(path, state)));
    return d.finish();
  }

  /** FimDigest of the agent's staged baseline {@code baselineId}. */
  static String stagedDigest(FimWrites store, String agentId, String baselineId) {
    FimDigest d = new FimDigest();
    store.forEachStaged(agentId, baselineId, (path, state) -> d.add(entry(path, state)));
    return d.finish();
  }

  private static FimEntry entry(byte[] path, byte[] state) {
    return FimEntry.newBuilder().setPath(path(path)).setState(state(state)).build();
  }
}
