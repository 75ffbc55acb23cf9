/**
 * The agent's own resource budget: {@link io.vigil.agent.budget.BudgetController} samples the
 * agent's CPU time and anonymous resident memory on its own thread, {@link
 * io.vigil.agent.budget.BudgetPolicy} decides the step (normal, reduced detail, shedding low-value
 * events, shedding more) with hysteresis, and the controller applies it to the sensors' {@link
 * io.vigil.agent.sensor.DetailLevel} and the pipeline's shedding, and reports it in {@code
 * AgentStatus.budget}.
 */
package io.vigil.agent.budget;
