/**
 * Vigil's kernel audit rules as data: {@link io.vigil.agent.sensor.process.audit.rules.AuditRule}
 * (a syscall-exit rule with field conditions), its byte encoding as the kernel's {@code struct
 * audit_rule_data} ({@link io.vigil.agent.sensor.process.audit.rules.AuditRuleCodec}), the rule set
 * the agent wants ({@link io.vigil.agent.sensor.process.audit.rules.StandardRules}) and the
 * reconciliation of that set with what the kernel holds ({@link
 * io.vigil.agent.sensor.process.audit.rules.RuleReconciler}), which only ever touches rules that
 * carry Vigil's key. Pure Java; the kernel is reached through a {@link
 * io.vigil.agent.sensor.process.audit.rules.RuleTable}.
 */
package io.vigil.agent.sensor.process.audit.rules;
