package io.vigil.collector.trust;

/**
 * Why an agent stream is refused.
 *
 * @param reason short label for the metric ({@code no_certificate}, {@code foreign_ca}, {@code
 *     expired}, {@code invalid}, {@code unknown_serial}, {@code replaced}, {@code revoked}, {@code
 *     wrong_agent})
 * @param description the text sent to the agent in the status and written to the log
 */
public record AuthRefusal(String reason, String description) {}
