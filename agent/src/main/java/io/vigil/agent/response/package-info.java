/**
 * Commands from the collector: run each once, keep its result until the collector acknowledges it,
 * and put it on the host's timeline as an event.
 *
 * <p>Results are numbered in their own lane ({@code result_seq}, kept across restarts in the state
 * directory) and deduplicated by command id on both sides, so a result can overtake a telemetry
 * backlog without touching the event watermark.
 */
package io.vigil.agent.response;
