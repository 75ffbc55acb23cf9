/**
 * Kernel-independent handling of Linux audit records: {@link
 * io.vigil.agent.sensor.process.audit.AuditRecordParser} turns one text record (from netlink or an
 * auditd log line) into an {@link io.vigil.agent.sensor.process.audit.AuditRecord}; {@link
 * io.vigil.agent.sensor.process.audit.AuditEventAssembler} joins records by serial into {@link
 * io.vigil.agent.sensor.process.audit.AuditEvent}s; {@link
 * io.vigil.agent.sensor.process.audit.ExecAssembly} turns an execve event into a {@code
 * ProcessExec}. Everything here is pure and bounded (record size, field count, open events, argv
 * bytes), because the content of every record is attacker-controlled. {@link
 * io.vigil.agent.sensor.process.audit.AuditSource} is the live {@link
 * io.vigil.agent.sensor.process.audit.AuditFeed}: it drives the audit netlink socket of {@code
 * platform.linux} (rules, daemon slot or multicast, settings) and owns the reader thread; its rules
 * are in the {@code rules} sub-package.
 */
package io.vigil.agent.sensor.process.audit;
