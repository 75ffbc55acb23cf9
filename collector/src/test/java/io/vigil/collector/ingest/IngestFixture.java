package io.vigil.collector.ingest;

import io.vigil.collector.detection.EventDetector;
import io.vigil.collector.output.EventOutput;
import io.vigil.collector.store.EventStore;
import io.vigil.collector.store.StoreReader;
import io.vigil.common.metrics.MetricsRegistry;
import io.vigil.proto.v1.Event;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** A real store file with an ingest service on it, for one test. */
final class IngestFixture implements AutoCloseable {
  final Path file;
  final MetricsRegistry metrics = new MetricsRegistry();
  final EventStore store;
  final IngestService ingest;

  IngestFixture(Path dir, IngestOptions options, EventOutput... outputs) {
    this.file = dir.resolve("vigil.db");
    this.store = EventStore.open(file);
    this.ingest = new IngestService(store, options, metrics, List.of(outputs));
  }

  /** With detection: {@code detector} is made from this fixture's metrics. */
  IngestFixture(Path dir, Function<MetricsRegistry, EventDetector> detector) {
    this.file = dir.resolve("vigil.db");
    this.store = EventStore.open(file);
    this.ingest =
        new IngestService(
            store, IngestOptions.defaults(), metrics, List.of(), detector.apply(metrics));
  }

  IngestFixture(Path dir) {
    this(dir, IngestOptions.defaults());
  }

  /** Seqs of all stored events of the agent's streams, in storage order, parsed from payloads. */
  static List<Long> storedSeqs(StoreReader reader) {
    List<Long> seqs = new ArrayList<>();
    reader.forEachPayload(
        p -> {
          try {
            seqs.add(Event.parseFrom(p).getSeq());
          } catch (com.google.protobuf.InvalidProtocolBufferException e) {
            throw new AssertionError("stored payload does not parse", e);
          }
        });
    return seqs;
  }

  long counter(String name, String... labels) {
    return (long) metrics.value(name, labels);
  }

  @Override
  public void close() {
    ingest.close();
    store.close();
  }
}
