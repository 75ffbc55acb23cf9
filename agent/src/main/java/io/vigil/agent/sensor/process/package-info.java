/**
 * The process sensor: {@link io.vigil.agent.sensor.process.ProcessSensor} turns proc connector
 * events (fork, exec, exit, uid changes), audit exec events and everything else audit reports
 * (logins, authentication, sudo, account changes) into {@code ProcessExec}, {@code ProcessExit},
 * {@code AuditMessage} and {@code Gap} events, enriched from {@code /proc} and its process table;
 * without the proc connector it polls {@code /proc}. The kernel-independent parts live in the
 * sub-packages ({@code audit}, {@code procconnector}, {@code procfs}, {@code table}).
 */
package io.vigil.agent.sensor.process;
