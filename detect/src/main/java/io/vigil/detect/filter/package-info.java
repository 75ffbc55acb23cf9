/**
 * Exceptions to detection: Sigma filter files ({@link io.vigil.detect.filter.FilterSet}, the Sigma
 * filters specification: a filter names rules and selects events those rules must no longer match)
 * and a global allow-list ({@link io.vigil.detect.filter.AllowList}, every alert source: Sigma
 * rules, correlations, threat-intel hits). Both are loaded from untrusted files with a verdict or
 * an error naming the YAML path for every problem, compile their selections with the same compiler
 * as rules so every modifier means the same, and count what each filter or entry silenced. Reads
 * files only; no transport, no storage.
 */
package io.vigil.detect.filter;
