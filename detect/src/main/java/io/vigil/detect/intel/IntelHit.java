package io.vigil.detect.intel;

/**
 * An event field whose value matched an indicator. Immutable.
 *
 * @param indicator what matched, with its source file and id
 * @param field the event field in Sigma's taxonomy ({@code DestinationIp}, {@code QueryName},
 *     {@code DestinationHostname}, {@code Url}, {@code Hashes/sha256}, {@code Ja3}, ...)
 * @param value the event's value of that field
 */
public record IntelHit(Indicator indicator, String field, String value) {}
