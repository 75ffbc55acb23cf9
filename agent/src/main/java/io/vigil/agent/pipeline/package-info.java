/**
 * The path from sensors to the spool: a bounded, non-blocking queue that drops and counts, and the
 * single writer thread that assigns seqs by appending to the spool. Enrichment, attribution and
 * rate limits will live here too.
 */
package io.vigil.agent.pipeline;
