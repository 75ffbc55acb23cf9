package io.vigil.detect.sigma.rule;

/**
 * The rule's {@code logsource}: which events it is written for. Each part is {@code null} when the
 * rule leaves it out; {@code definition} and custom keys are prose for humans and not kept.
 */
public record LogSource(String product, String category, String service) {}
