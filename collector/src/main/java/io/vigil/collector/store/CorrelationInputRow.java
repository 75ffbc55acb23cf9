package io.vigil.collector.store;

/**
 * One finding a correlation rule was fed, as stored so the correlation's window survives a
 * collector restart. Immutable.
 *
 * @param ruleId the rule whose finding it is (a rule a correlation refers to)
 * @param streamId with {@code seq}, the stored event the finding is on
 * @param fieldsJson the field values the correlation needs (group-by, value fields), JSON
 */
public record CorrelationInputRow(
    String ruleId, String agentId, long streamId, long seq, long eventTimeNs, String fieldsJson) {}
