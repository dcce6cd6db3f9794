/**
 * `dmsc bench intent`: the whole core (NRF, AMC, AGW, capability agents, intent agent, AMF) in
 * one child process, as `dmsc up` runs it; simulated UEs in this process speak NAS-like JSON to
 * the AMF over loopback.
 * 1. ueRegistrationsPerSec: full registrations (RegistrationRequest, challenge-response
 *    authentication, RegistrationAccept, RegistrationComplete) of UEs without an on-device agent,
 *    `concurrency` at a time; then their deregistrations; and registrations plus deregistrations
 *    per second, the figure free5GC is usually quoted with.
 * 2. ueRegistrationsWithAgentPerSec: the same for UEs with an agent, whose registration includes
 *    ARP at the AGW, AAAP at the AMC and an X.509 certificate for the UE's agent.
 * 3. End-to-end intent latency at a fixed arrival rate (open loop) over `ues` UEs: NAS uplink,
 *    AMF, intent agent (comprehension, workflow, per-task AGW resolution, capability agents
 *    called with signed credentials), NAS downlink.
 */
import { createUeClient, type UeClient } from '../ue-sim/ue-client.ts';
import { percentiles, runScenario } from '../ue-sim/scenario-runner.ts';
import type { Scenario } from '../ue-sim/scenario-file.ts';
import { startWholeCore } from './whole-core.ts';

export interface IntentBenchOptions {
  registrations: number;
  registrationsWithAgent: number;
  concurrency: number;
  ues: number;
  arrivalRate: number;
  durationSeconds: number;
  progress: (message: string) => void;
}

const NO_AGENT_FIRST = 10_001;
const WARM_UP_SECONDS = 5;
const WITH_AGENT_FIRST = 1;
const supi = (n: number) => `imsi-00101${n.toString().padStart(10, '0')}`;

/**
 * No QoS boost in the mix: boosts accumulate in the emulated cells until admission control refuses
 * them (a correct 'failed'), which would make the success rate a figure of the emulated network.
 */
const intentMix: Scenario['intents'] = [
  { text: 'where am I?', expect: { outcome: 'completed' } },
  { text: 'my home wifi is not working', expect: { outcome: 'completed' } },
  { text: 'how busy is my cell right now?', expect: { outcome: 'completed' } },
  { text: 'how much data have I used this month?', expect: { outcome: 'completed' } },
  { text: 'why is my mobile data so slow', expect: { outcome: 'completed' } },
];

/** Runs `work` over every item, `concurrency` at a time; returns the wall time and each item's latency. */
async function timed<T>(items: T[], concurrency: number, work: (item: T) => Promise<unknown>) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++];
        const t0 = performance.now();
        await work(item);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, latency: percentiles(latencies) };
}

const perSec = (count: number, seconds: number) => Math.round(count / seconds);

export async function benchIntent(options: IntentBenchOptions) {
  options.progress('starting the core; waiting for the agents to register at the AGW');
  const core = await startWholeCore();
  try {
    const amfUri = `${core.urls.amf}/namf-nas/v1`;

    const plain: UeClient[] = Array.from({ length: options.registrations }, (_, i) => createUeClient({ nrfUri: core.urls.nrf, amfUri, supi: supi(NO_AGENT_FIRST + i), hasAgent: false }));
    options.progress(`registering ${plain.length} UEs without an agent, ${options.concurrency} at a time`);
    const registration = await timed(plain, options.concurrency, (ue) => ue.register());
    options.progress(`deregistering them`);
    const deregistration = await timed(plain, options.concurrency, (ue) => ue.deregister());

    const withAgent: UeClient[] = Array.from({ length: options.registrationsWithAgent }, (_, i) => createUeClient({ nrfUri: core.urls.nrf, amfUri, supi: supi(WITH_AGENT_FIRST + i) }));
    options.progress(`registering ${withAgent.length} UEs with an agent (ARP, AAAP, X.509 for each)`);
    const agentRegistration = await timed(withAgent, options.concurrency, (ue) => ue.register());
    await timed(withAgent, options.concurrency, (ue) => ue.deregister());

    const intentRun = (firstSupi: string, durationSeconds: number) =>
      runScenario({
        scenario: { name: 'bench-intent', ues: { count: options.ues, firstSupi }, arrivalRate: options.arrivalRate, duration: durationSeconds, registrationConcurrency: options.concurrency, intents: intentMix },
        createUe: (ueSupi) => {
          const client = createUeClient({ nrfUri: core.urls.nrf, amfUri, supi: ueSupi, hasAgent: false });
          return { supi: ueSupi, register: async () => ({ aic: (await client.register()).aic }), sendIntent: (text) => client.sendIntent(text), deregister: () => client.deregister() };
        },
      });
    // A warm-up at the same rate first, as load generators do: the first seconds of a fresh process
    // measure its JIT compiler, not the core.
    options.progress(`warm-up: intents at ${options.arrivalRate}/s for ${WARM_UP_SECONDS} s`);
    const warmUp = await intentRun(supi(NO_AGENT_FIRST + options.registrations + options.ues), WARM_UP_SECONDS);
    options.progress(`intents at ${options.arrivalRate}/s for ${options.durationSeconds} s over ${options.ues} UEs`);
    const report = await intentRun(supi(NO_AGENT_FIRST + options.registrations), options.durationSeconds);
    return {
      ueRegistrations: plain.length,
      concurrency: options.concurrency,
      ueRegistrationsPerSec: perSec(plain.length, registration.seconds),
      ueRegistrationP50Ms: registration.latency.p50,
      ueRegistrationP99Ms: registration.latency.p99,
      ueDeregistrationsPerSec: perSec(plain.length, deregistration.seconds),
      ueRegistrationsPlusDeregistrationsPerSec: perSec(plain.length, registration.seconds + deregistration.seconds),
      ueRegistrationsWithAgent: withAgent.length,
      ueRegistrationsWithAgentPerSec: perSec(withAgent.length, agentRegistration.seconds),
      ueRegistrationWithAgentP99Ms: agentRegistration.latency.p99,
      intentArrivalRatePerSec: options.arrivalRate,
      intentDurationSeconds: options.durationSeconds,
      intentUes: options.ues,
      intentsSent: report.intents.sent,
      intentSuccessRate: report.intents.successRate,
      intentOutcomes: report.intents.outcomes,
      intentP50Ms: report.latencyMs.p50,
      intentP90Ms: report.latencyMs.p90,
      intentP99Ms: report.latencyMs.p99,
      intentMaxMs: report.latencyMs.max,
      intentFailures: report.failures.slice(0, 3),
      warmUpSeconds: WARM_UP_SECONDS,
      warmUpIntentP99Ms: warmUp.latencyMs.p99,
    };
  } finally {
    await core.stop();
  }
}
