/**
 * Disk safety: the {@link io.vigil.collector.disk.DiskGuard} counts the room left for events (the
 * usable space of the filesystem that holds the database plus the database's free pages) and makes
 * ingest refuse new event batches while it is below {@code store.min_free_bytes} (until it is back
 * above {@code store.resume_free_bytes}), so that a full disk never corrupts the store or fails a
 * commit mid-way; agents keep spooling and resume from the watermark. Only the {@link
 * io.vigil.collector.disk.DiskWatch} thread measures; the gate answers from the last measurement.
 * It serves the {@code disk} check of {@code GET /health} and raises the {@code
 * vigil-collector-disk-full} alert once per episode.
 */
package io.vigil.collector.disk;
