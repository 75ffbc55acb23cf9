/**
 * Retention: deletes events and alerts past their age or the database's size bound, oldest first,
 * in short chunks run through the ingest writer (see {@link io.vigil.collector.retention.Retention}
 * and {@code docs/retention.md}). Streams and their watermarks are never deleted.
 */
package io.vigil.collector.retention;
