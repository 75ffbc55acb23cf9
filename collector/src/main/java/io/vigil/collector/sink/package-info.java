/**
 * Alert sinks: each configured sink (syslog with CEF, webhook, JSON-lines file) delivers the stored
 * alerts in id order from its own thread, keeps how far it got in the store so an outage or a
 * restart neither loses nor repeats alerts, filters by level and tags, and retries with backoff.
 */
package io.vigil.collector.sink;
