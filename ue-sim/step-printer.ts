/**
 * Readable steps of a scenario run for people watching `npm start`: each UE's registration and
 * its agent's AIC, then for each intent the text, the operator-defined intent it became, the
 * tasks with the agents that did them, and the answer.
 */
import { describeIntent } from '../nfs/shared/intent/describe-intent.ts';
import type { ScenarioEvent, ScenarioReport } from './scenario-runner.ts';

/** Agent names by AIC, when the caller could list them (e.g. from the AGW); AICs are shown otherwise. */
export type AgentNames = ReadonlyMap<string, string>;

export function formatStep(event: ScenarioEvent, names: AgentNames = new Map()): string {
  const agent = (aic?: string) => (aic ? (names.has(aic) ? `${names.get(aic)} (${aic})` : aic) : 'no agent');
  switch (event.type) {
    case 'registered':
      return `\n[${event.supi}] registered with the AMF in ${event.ms.toFixed(1)} ms; ${event.aic ? `its agent's AIC is ${event.aic}` : 'no UE agent for this subscriber'}\n`;
    case 'registration-failed':
      return `\n[${event.supi}] registration failed: ${event.error}\n`;
    case 'intent-failed':
      return `\n[${event.supi}] intent "${event.intent.text}" got no answer: ${event.error}\n`;
    case 'answered': {
      const { outcome } = event;
      const lines = [`\n[${event.supi}] intent: "${event.intent.text}"`];
      if (outcome.intent) lines.push(`  operator-defined intent: ${describeIntent(outcome.intent)}${outcome.confidence !== undefined ? ` (confidence ${outcome.confidence.toFixed(2)})` : ''}`);
      if (outcome.tasks.length) {
        lines.push('  tasks:');
        for (const task of outcome.tasks) lines.push(`    ${task.taskId}  ${task.capability}  by ${agent(task.agent)}  ${task.state}${task.attempts > 1 ? ` after ${task.attempts} attempts` : ''}`);
      }
      lines.push(`  ${outcome.outcome}: ${outcome.result.split('\n').join('\n    ')}`);
      lines.push(`  ${event.asExpected ? 'as expected' : `NOT as expected (${event.mismatch})`}, ${event.ms.toFixed(1)} ms end to end`);
      return `${lines.join('\n')}\n`;
    }
  }
}

export function formatReport(report: ScenarioReport): string {
  const lines = [
    `\nscenario ${report.scenario}: ${report.passed ? 'every expectation held' : 'expectations FAILED'}`,
    `  UEs registered: ${report.ues.registered}/${report.ues.count} in ${report.ues.registrationSeconds} s (${report.ues.registrationsPerSec}/s)`,
    `  intents: ${report.intents.sent} sent, ${report.intents.asExpected} as expected (success rate ${(report.intents.successRate * 100).toFixed(1)}%), outcomes ${JSON.stringify(report.intents.outcomes)}`,
    `  latency ms: p50 ${report.latencyMs.p50}, p90 ${report.latencyMs.p90}, p99 ${report.latencyMs.p99}, max ${report.latencyMs.max}`,
  ];
  for (const failure of report.failures.slice(0, 5)) lines.push(`  failed: [${failure.supi}] "${failure.text}": expected ${failure.expected}, got ${failure.got}`);
  return `${lines.join('\n')}\n`;
}
