/**
 * `dmsc bench session`: the whole core in one child process, as `dmsc up` runs it; from this
 * process an initiator agent (registered through ARP like any agent) runs complete semantic
 * sessions against a capability agent with the unmodified @a2a-js/sdk client: SMF create (with
 * its AGW checks and the signed artifact), SESSION_INIT -> SESSION_ACCEPT (certificate chain and
 * status, artifact, proof of key, establish reported to the SMF), one SESSION_DATA, and
 * SESSION_TERMINATE (release reported to the SMF). Figures: sessions per second and the latency
 * of one whole session.
 */
import { randomBytes } from 'node:crypto';
import axios from 'axios';
import { createAgentKeyAndCsr } from '../nfs/shared/agent-credentials.ts';
import { openSession, sessionClientFor, smfSessionAuthority } from '../nfs/shared/a2a/session/session-client.ts';
import { percentiles } from '../ue-sim/scenario-runner.ts';
import { startWholeCore } from './whole-core.ts';

export interface SessionBenchOptions {
  sessions: number;
  concurrency: number;
  progress: (message: string) => void;
}

const BILLING = '/capability/billing-plan';

export async function benchSession(options: SessionBenchOptions) {
  options.progress('starting the core; waiting for the agents to register at the AGW');
  const core = await startWholeCore();
  const { urls } = core;
  try {
    const billingAgent = core.agents.find((agent) => agent.name === 'billing-agent');
    if (!billingAgent?.aic || !billingAgent.a2aUrl) throw new Error('the core hosts no registered billing-agent');
    const billing = { aic: billingAgent.aic, a2aUrl: billingAgent.a2aUrl };
    options.progress('registering the initiator agent through ARP');
    const key = await createAgentKeyAndCsr();
    const registration = await axios.post(`${urls.agw}/nagw-reg/v1/registrations`, {
      provider: { providerId: 'operator-core', clientSecret: 'operator-core-demo-secret' },
      agent: { name: 'bench-initiator', version: '1.0', kind: 'nf-agent' },
      requestedCapabilities: ['/capability/intent-recognition'],
      endpoints: { a2aUrl: 'http://127.0.0.1:9/a2a/bench-initiator' },
      csrPem: key.csrPem,
      nonce: randomBytes(16).toString('base64url'),
    });
    const identity = { aic: registration.data.aic as string, certificatePem: registration.data.certificatePem as string, privateKey: key.keys.privateKey };
    const authority = smfSessionAuthority(`${urls.smf}/nsmf-agentsession/v1`);
    const client = await sessionClientFor(billing.a2aUrl);
    const runOne = async () => {
      const session = await openSession({ authority, a2aUrl: billing.a2aUrl, targetAic: billing.aic, identity, capabilityId: BILLING, client });
      const result = await session.data({ supi: 'imsi-001010000000002', parameters: { action: 'show-bill' } });
      if (result.state !== 'completed') throw new Error(`session data failed: ${result.summary}`);
      await session.terminate();
    };
    options.progress('warm-up: 50 sessions');
    for (let i = 0; i < 50; i++) await runOne();
    options.progress(`${options.sessions} sessions, ${options.concurrency} at a time`);
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (next++ < options.sessions) {
          const t0 = performance.now();
          await runOne();
          latencies.push(performance.now() - t0);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const latency = percentiles(latencies);
    return { sessions: latencies.length, concurrency: options.concurrency, sessionsPerSec: Math.round(latencies.length / seconds), sessionP50Ms: latency.p50, sessionP99Ms: latency.p99, sessionMaxMs: latency.max };
  } finally {
    await core.stop();
  }
}
