/**
 * Runs a scenario against a running core, as UEs would: register every UE (bounded concurrency),
 * then send intents at the scenario's arrival rate (open loop: an arrival does not wait for earlier
 * answers of other UEs; one UE sends one NAS message at a time, as a UE does), check each answer
 * against its expectation, and report success rate and latency percentiles.
 */
import type { components } from '../openapi/generated/nagent-tip.ts';
import { supiAt, type Scenario, type ScenarioIntent } from './scenario-file.ts';

export type IntentOutcome = components['schemas']['IntentOutcome'];

/** One simulated UE as the runner drives it. */
export interface ScenarioUe {
  readonly supi: string;
  register(): Promise<{ aic?: string }>;
  sendIntent(text: string): Promise<IntentOutcome>;
  deregister(): Promise<void>;
}

export type ScenarioEvent =
  | { type: 'registered'; supi: string; aic?: string; ms: number }
  | { type: 'registration-failed'; supi: string; error: string }
  | { type: 'answered'; supi: string; intent: ScenarioIntent; outcome: IntentOutcome; ms: number; asExpected: boolean; mismatch?: string }
  | { type: 'intent-failed'; supi: string; intent: ScenarioIntent; error: string };

export interface ScenarioReport {
  scenario: string;
  ues: { count: number; registered: number; failed: number; registrationSeconds: number; registrationsPerSec: number };
  intents: { sent: number; asExpected: number; unexpected: number; errors: number; successRate: number; outcomes: Record<string, number> };
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  failures: Array<{ supi: string; text: string; expected: string; got: string }>;
  passed: boolean;
}

export interface RunScenarioOptions {
  scenario: Scenario;
  createUe: (supi: string) => ScenarioUe;
  onEvent?: (event: ScenarioEvent) => void;
  /** Deregister every UE at the end (the default). */
  deregister?: boolean;
}

export async function runScenario(options: RunScenarioOptions): Promise<ScenarioReport> {
  const { scenario } = options;
  const emit = options.onEvent ?? (() => {});
  const ues = Array.from({ length: scenario.ues.count }, (_, index) => options.createUe(supiAt(scenario, index)));

  const registrationStarted = performance.now();
  const registered = await registerAll(ues, scenario.registrationConcurrency ?? 20, emit);
  const registrationSeconds = (performance.now() - registrationStarted) / 1000;

  const arrivals = scenario.duration
    ? Math.max(1, Math.floor(scenario.duration * scenario.arrivalRate))
    : registered.length * scenario.intents.length;
  const latencies: number[] = [];
  const outcomes: Record<string, number> = {};
  const failures: ScenarioReport['failures'] = [];
  let asExpected = 0;
  let errors = 0;
  // One chain per UE keeps its messages in order (NAS COUNT) while UEs run side by side.
  const chains = new Map<ScenarioUe, Promise<void>>();
  const started = performance.now();
  for (let k = 0; k < arrivals && registered.length; k++) {
    const ue = registered[k % registered.length];
    const intent = scenario.duration ? scenario.intents[k % scenario.intents.length] : scenario.intents[Math.floor(k / registered.length) % scenario.intents.length];
    await sleepUntil(started + (k * 1000) / scenario.arrivalRate);
    const previous = chains.get(ue) ?? Promise.resolve();
    chains.set(
      ue,
      previous.then(async () => {
        const sent = performance.now();
        try {
          const outcome = await ue.sendIntent(intent.text);
          const ms = performance.now() - sent;
          latencies.push(ms);
          outcomes[outcome.outcome] = (outcomes[outcome.outcome] ?? 0) + 1;
          const mismatch = checkExpectation(intent, outcome);
          if (mismatch) failures.push({ supi: ue.supi, text: intent.text, expected: describeExpectation(intent), got: mismatch });
          else asExpected += 1;
          emit({ type: 'answered', supi: ue.supi, intent, outcome, ms, asExpected: !mismatch, mismatch });
        } catch (error) {
          errors += 1;
          failures.push({ supi: ue.supi, text: intent.text, expected: describeExpectation(intent), got: `error: ${(error as Error).message}` });
          emit({ type: 'intent-failed', supi: ue.supi, intent, error: (error as Error).message });
        }
      }),
    );
  }
  await Promise.all(chains.values());
  if (options.deregister !== false) await Promise.allSettled(registered.map((ue) => ue.deregister()));

  const sent = asExpected + failures.length;
  return {
    scenario: scenario.name,
    ues: {
      count: ues.length,
      registered: registered.length,
      failed: ues.length - registered.length,
      registrationSeconds: round(registrationSeconds),
      registrationsPerSec: round(registered.length / Math.max(registrationSeconds, 1e-6)),
    },
    intents: { sent, asExpected, unexpected: failures.length - errors, errors, successRate: sent ? round(asExpected / sent) : 0, outcomes },
    latencyMs: percentiles(latencies),
    failures: failures.slice(0, 20),
    passed: registered.length === ues.length && sent > 0 && asExpected === sent,
  };
}

async function registerAll(ues: ScenarioUe[], concurrency: number, emit: (event: ScenarioEvent) => void): Promise<ScenarioUe[]> {
  const registered: ScenarioUe[] = [];
  let next = 0;
  const worker = async () => {
    while (next < ues.length) {
      const ue = ues[next++];
      const started = performance.now();
      try {
        const { aic } = await ue.register();
        registered.push(ue);
        emit({ type: 'registered', supi: ue.supi, aic, ms: performance.now() - started });
      } catch (error) {
        emit({ type: 'registration-failed', supi: ue.supi, error: (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, ues.length) }, worker));
  // Keep the scenario's SUPI order, whatever order registrations finished in.
  return ues.filter((ue) => registered.includes(ue));
}

/** Undefined when the answer is what the scenario expects; otherwise what was different. */
export function checkExpectation(intent: ScenarioIntent, outcome: IntentOutcome): string | undefined {
  if (outcome.outcome !== intent.expect.outcome) return `${outcome.outcome}: ${outcome.result.split('\n')[0]}`;
  const ran = new Set(outcome.tasks.filter((task) => task.state === 'completed').map((task) => task.capability));
  const missing = (intent.expect.capabilities ?? []).filter((capability) => !ran.has(capability));
  return missing.length ? `no completed task for ${missing.join(', ')}` : undefined;
}

function describeExpectation(intent: ScenarioIntent): string {
  return intent.expect.capabilities?.length ? `${intent.expect.outcome} with ${intent.expect.capabilities.join(', ')}` : intent.expect.outcome;
}

/** Exact percentiles (nearest rank) of the measured latencies. */
export function percentiles(values: number[]): ScenarioReport['latencyMs'] {
  if (!values.length) return { p50: 0, p90: 0, p99: 0, max: 0 };
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: round(rank(50)), p90: round(rank(90)), p99: round(rank(99)), max: round(sorted[sorted.length - 1]) };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleepUntil(at: number): Promise<void> {
  const wait = at - performance.now();
  return wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : Promise.resolve();
}
