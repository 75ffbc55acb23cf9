/**
 * Helpers for tests that run Vigil as real processes: launching agent and collector JVMs, writing
 * their configs, reading a collector's store, and polling with a deadline.
 */
package io.vigil.testkit;
