/**
 * Hunting: the query language of {@code vigilctl hunt} ({@code docs/hunting.md}) parsed into a
 * condition tree once per hunt ({@link io.vigil.collector.hunt.HuntQuery}), and the read-only scan
 * that evaluates it over the stored events, newest first, within time bounds, a row limit and a
 * scan budget ({@link io.vigil.collector.hunt.Hunter}). Field names are the Sigma names the
 * detection engine gives each event kind, plus a few generic ones ({@code kind}, {@code host},
 * ...). Event content is attacker-controlled: regular expressions run on bounded input with a step
 * budget.
 */
package io.vigil.collector.hunt;
