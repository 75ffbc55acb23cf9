package io.vigil.collector.ingest;

import io.vigil.collector.store.EventWrites;
import io.vigil.collector.store.StreamRef;
import java.util.HashMap;
import java.util.Map;

/**
 * The writer's view of each stream's row id and watermark, including changes of the transaction in
 * progress. Must be cleared when a transaction rolls back. Writer thread only.
 */
final class StreamCache {
  private final EventWrites store;
  private final Map<StreamKey, StreamRef> streams = new HashMap<>();

  StreamCache(EventWrites store) {
    this.store = store;
  }

  /** The stream, loaded from the store or created there (watermark 0) on first use. */
  StreamRef get(StreamKey key, long nowNs) {
    StreamRef ref = streams.get(key);
    if (ref == null) {
      ref = store.stream(key.agentId(), key.epoch(), nowNs);
      streams.put(key, ref);
    }
    return ref;
  }

  void setWatermark(StreamKey key, StreamRef ref, long watermark) {
    store.setWatermark(ref.streamId(), watermark);
    streams.put(key, new StreamRef(ref.streamId(), watermark));
  }

  void clear() {
    streams.clear();
  }
}
