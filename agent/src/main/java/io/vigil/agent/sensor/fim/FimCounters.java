package io.vigil.agent.sensor.fim;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The running totals behind {@link IntegritySensor.Counters}. Written by the worker thread (and
 * {@link #recheckDrops}/{@link #badPaths} by the file sensor's), read by anyone.
 */
final class FimCounters {
  final AtomicLong scans = new AtomicLong();
  final AtomicLong filesScanned = new AtomicLong();
  final AtomicLong bytesHashed = new AtomicLong();
  final AtomicLong changes = new AtomicLong();
  final AtomicLong errors = new AtomicLong();
  final AtomicLong rechecks = new AtomicLong();
  final AtomicLong recheckDrops = new AtomicLong();
  final AtomicLong badPaths = new AtomicLong();
  final AtomicLong resyncs = new AtomicLong();
  final AtomicLong refusedEvents = new AtomicLong();
  final AtomicLong saveFailures = new AtomicLong();
  volatile long lastScanDurationNs;
  volatile long baselineEntries;

  /** Adds what one pass did. */
  void add(Reconciler.Pass p) {
    filesScanned.addAndGet(p.files);
    bytesHashed.addAndGet(p.bytesHashed);
    changes.addAndGet(p.changes);
    errors.addAndGet(p.errors);
  }

  IntegritySensor.Counters snapshot() {
    return new IntegritySensor.Counters(
        scans.get(),
        filesScanned.get(),
        bytesHashed.get(),
        changes.get(),
        errors.get(),
        rechecks.get(),
        recheckDrops.get(),
        badPaths.get(),
        resyncs.get(),
        refusedEvents.get(),
        saveFailures.get(),
        lastScanDurationNs,
        baselineEntries);
  }
}
