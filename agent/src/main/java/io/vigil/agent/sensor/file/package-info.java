/**
 * File telemetry: kernel notifications (fanotify in FID mode, with the acting process; inotify as
 * the fallback) filtered to the watched trees, coalesced and rate-limited, attributed to processes
 * and turned into {@code FileEvent}s; hashes of new executables.
 */
package io.vigil.agent.sensor.file;
