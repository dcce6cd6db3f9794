/**
 * `dmsc bench agw`: the NRF, AMC and AGW in one child process (as `dmsc up` runs them), load
 * from this process with autocannon on loopback.
 * 1. registrationsPerSec: full ARP registrations (AAAP at the AMC, AIC allocation, X.509
 *    issuance from a CSR) of agents whose keys and CSRs are made beforehand, after `warmUp`
 *    others (default 2,000): a fresh process's first registrations measure its JIT compiler,
 *    and on the 2-core benchmark machine the rate settles only after about 2,000 (1,000 timed
 *    after 300 gave about 500 per second, after 1,000 about 555, after 2,000 about 635, after
 *    4,000 about 610). The warm-up's own rate is reported too (warmUpRegistrationsPerSec). Then
 *    the same registrations on a fresh store with one process per NF (`dmsc up --processes`),
 *    where the AGW and the AMC each have a core (registrationsPerSecOneProcessPerNf).
 * 2. With `agents` registered agents (default 100,000): the directory is filled through the
 *    store with copies of a registered agent's record (fresh AIC, key fingerprint and serial,
 *    capabilities spread over the taxonomy), the core restarts on that data, and discovery is
 *    loaded for `duration` seconds each: one structured query repeated (served from the cache),
 *    the same query from requesters drawn from 20,000 AICs, and natural-language queries. Before
 *    the second load a policy rule names a provider, as an operator's rules do: policy may then
 *    treat every requester differently, so each has its own cache entries, and an entry lives
 *    1 s, so nearly every one of those queries is answered afresh (cache misses).
 * 3. memoryPerAgentBytes: heap taken by the directory's records when a store loads them.
 */
import autocannon from 'autocannon';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { defaultAicScheme, formatAic, toBase36 } from '../nfs/shared/aic.ts';
import { createAgentKeyAndCsr } from '../nfs/shared/agent-credentials.ts';
import { createEmbeddedStore } from '../nfs/shared/store/embedded-store.ts';
import { defaultTaxonomy } from '../nfs/agw/default-taxonomy.ts';
import type { AgentDocument } from '../nfs/agw/store.ts';
import { startChildServer, type ChildServer } from './child-process.ts';
import { runFixedAmount } from './fixed-amount.ts';
import { serverNodeFlagsFor } from '../bin/server-node-flags.ts';

export interface AgwBenchOptions {
  registrations: number;
  /** Registrations before the timed ones, on the same process and store. */
  warmUp: number;
  agents: number;
  durationSeconds: number;
  connections: number;
  progress: (message: string) => void;
}

const dmsc = fileURLToPath(new URL('../bin/dmsc.js', import.meta.url));
const capabilityIds = defaultTaxonomy.map((entry) => entry.capabilityId);
const nlQueries = ['find an agent that can fix my home broadband', 'my video stutters, give me more bandwidth', 'how busy is my cell', 'where am I', 'Poor mobile signal and unstable broadband at home', 'how much does my plan cost'];

async function startCore(dataDir: string, mode: { processes?: boolean } = {}): Promise<ChildServer & { agwUrl: string }> {
  const args = [...serverNodeFlagsFor(), dmsc, 'up', '--only', 'nrf,amc,agw', '--ports', 'nrf=0,amc=0,agw=0', '--data-dir', dataDir, '--json', '--log-level', 'error'];
  if (mode.processes) args.push('--processes');
  const child = await startChildServer(process.execPath, args, {}, 120_000);
  const nfs = child.info.nfs as Array<{ nf: string; url: string }>;
  return { ...child, agwUrl: nfs.find((nf) => nf.nf === 'agw')!.url };
}

export async function benchAgw(options: AgwBenchOptions) {
  const dataDir = await mkdtemp(join(tmpdir(), 'dmsc-bench-agw-'));
  try {
    options.progress(`making ${options.registrations + options.warmUp} agent keys and CSRs`);
    const allBodies = await registrationBodies(options.registrations + options.warmUp);
    const warmUpBodies = allBodies.slice(0, options.warmUp);
    const bodies = allBodies.slice(options.warmUp);
    let core = await startCore(dataDir);
    options.progress(`registering ${options.registrations} agents (ARP + AAAP + X.509) after ${options.warmUp} to warm up`);
    const warmUp = await register(core.agwUrl, warmUpBodies, options.connections);
    const registration = await register(core.agwUrl, bodies, options.connections);
    await core.stop();

    const processesDir = await mkdtemp(join(tmpdir(), 'dmsc-bench-agw-processes-'));
    let warmUpByProcess: Awaited<ReturnType<typeof register>>;
    let registrationByProcess: Awaited<ReturnType<typeof register>>;
    try {
      const separate = await startCore(processesDir, { processes: true });
      try {
        options.progress(`registering ${options.registrations} agents again, one process per NF, after ${options.warmUp}`);
        warmUpByProcess = await register(separate.agwUrl, warmUpBodies, options.connections);
        registrationByProcess = await register(separate.agwUrl, bodies, options.connections);
      } finally {
        await separate.stop();
      }
    } finally {
      await rm(processesDir, { recursive: true, force: true });
    }

    options.progress(`filling the directory to ${options.agents} agents`);
    const sampleAics = await fillDirectory(dataDir, options.agents);
    options.progress('restarting the core on that directory');
    core = await startCore(dataDir);
    let discovery;
    try {
      options.progress(`structured discovery load for ${options.durationSeconds} s`);
      const structured = await autocannon({ url: `${core.agwUrl}/nagw-disc/v1/agents?capability-id=/capability/qos-optimisation&limit=10`, connections: options.connections, duration: options.durationSeconds });
      await putProviderRule(core.agwUrl);
      options.progress(`structured discovery by many requesters (uncached) for ${options.durationSeconds} s`);
      const byRequester = await autocannon({
        url: core.agwUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: `/nagw-disc/v1/agents?capability-id=/capability/qos-optimisation&limit=10&requester-aic=${sampleAics[Math.floor(Math.random() * sampleAics.length)]}` }) }],
      });
      options.progress(`natural-language discovery load for ${options.durationSeconds} s`);
      let query = 0;
      const natural = await autocannon({
        url: core.agwUrl,
        connections: options.connections,
        duration: options.durationSeconds,
        requests: [{ method: 'POST', path: '/nagw-disc/v1/resolutions', headers: { 'content-type': 'application/json' }, setupRequest: (request) => ({ ...request, body: JSON.stringify({ query: nlQueries[query++ % nlQueries.length], limit: 10 }) }) }],
      });
      discovery = { structured, byRequester, natural };
    } finally {
      await core.stop();
    }
    // Last, so that the store it loads here does not weigh on the load generator's heap above.
    const memoryPerAgentBytes = await memoryPerAgent(dataDir);
    const { structured, byRequester, natural } = discovery;
    return {
      registrations: options.registrations,
      registrationsPerSec: registration.perSec,
      registrationP99Ms: registration.p99Ms,
      registrationsPerSecOneProcessPerNf: registrationByProcess.perSec,
      registrationP99MsOneProcessPerNf: registrationByProcess.p99Ms,
      warmUpRegistrations: options.warmUp,
      warmUpRegistrationsPerSec: warmUp.perSec,
      warmUpRegistrationsPerSecOneProcessPerNf: warmUpByProcess.perSec,
      agents: options.agents,
      connections: options.connections,
      structuredDiscoveryPerSec: structured.requests.average,
      structuredDiscoveryP50Ms: structured.latency.p50,
      structuredDiscoveryP99Ms: structured.latency.p99,
      structuredUncachedDiscoveryPerSec: byRequester.requests.average,
      structuredUncachedDiscoveryP50Ms: byRequester.latency.p50,
      structuredUncachedDiscoveryP99Ms: byRequester.latency.p99,
      naturalLanguageDiscoveryPerSec: natural.requests.average,
      naturalLanguageDiscoveryP50Ms: natural.latency.p50,
      naturalLanguageDiscoveryP99Ms: natural.latency.p99,
      discoveryErrors: structured.errors + structured.non2xx + byRequester.errors + byRequester.non2xx + natural.errors + natural.non2xx,
      memoryPerAgentBytes,
    };
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** A rule that names a provider (none of the benchmark's): requesters no longer share cached answers. */
async function putProviderRule(agwUrl: string): Promise<void> {
  const rule = { effect: 'DENY', subject: { providerId: 'bench-untrusted-provider' }, capabilityId: '*', actions: ['discover', 'invoke'] };
  const res = await fetch(`${agwUrl}/nagw-pol/v1/rules/bench-untrusted-provider`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(rule) });
  if (!res.ok) throw new Error(`policy rule: ${res.status} ${await res.text()}`);
}

/** Every body registered once over `connections` connections; fails on any refusal. */
async function register(agwUrl: string, bodies: string[], connections: number): Promise<{ perSec: number; p99Ms: number }> {
  let next = 0;
  const { result, seconds } = await runFixedAmount({
    url: agwUrl,
    connections,
    amount: bodies.length,
    requests: [{ method: 'POST', path: '/nagw-reg/v1/registrations', headers: { 'content-type': 'application/json' }, setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
  });
  if (result.non2xx || result.errors) throw new Error(`registrations: ${result.non2xx} non-2xx, ${result.errors} errors`);
  return { perSec: Math.round((result['2xx'] / seconds) * 10) / 10, p99Ms: result.latency.p99 };
}

async function registrationBodies(count: number): Promise<string[]> {
  const bodies: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const { csrPem } = await createAgentKeyAndCsr();
    bodies.push(
      JSON.stringify({
        provider: { providerId: 'operator-core', clientSecret: 'operator-core-demo-secret' },
        agent: { name: `bench-agent-${i % 20}`, version: '1.0.0', kind: 'capability-agent', description: 'A benchmark agent' },
        requestedCapabilities: [capabilityIds[i % capabilityIds.length]],
        endpoints: { a2aUrl: `http://127.0.0.1:${20000 + (i % 1000)}/a2a` },
        csrPem,
        nonce: randomBytes(16).toString('base64url'),
      }),
    );
  }
  return bodies;
}

/**
 * Copies of a registered agent's record until the directory holds `total`; returns a sample of
 * the AICs (as requesters, every one a different cache key).
 */
async function fillDirectory(dataDir: string, total: number): Promise<string[]> {
  const sampleAics: string[] = [];
  const store = createEmbeddedStore({ dataDir });
  const agents = store.collection<AgentDocument>('agw.agents');
  const [model] = await agents.find({}, { limit: 1 });
  const existing = await agents.countDocuments({});
  const liveUntil = Date.now() + 86_400_000;
  let batch: AgentDocument[] = [];
  for (let i = existing; i < total; i += 1) {
    const aic = formatAic(defaultAicScheme, { providerIndex: model.providerIndex, ontologySerial: 'ZZZ', entitySerial: toBase36(i + 1) });
    const capabilityId = capabilityIds[i % capabilityIds.length];
    if (sampleAics.length < 20_000) sampleAics.push(aic);
    batch.push({
      ...model,
      _id: aic,
      capabilityIds: [capabilityId],
      publicKeySha256: randomBytes(32).toString('hex'),
      credentialSerial: randomBytes(16).toString('hex'),
      liveUntil,
      load: i % 100,
      acs: { ...model.acs, aic, capabilities: [{ capabilityId, taxonomyVersion: 1 }] },
    });
    if (batch.length === 1000) {
      await agents.insertMany(batch);
      batch = [];
    }
  }
  await agents.insertMany(batch);
  await store.close();
  return sampleAics;
}

/**
 * Heap bytes per agent record when a fresh store loads the directory, between two full garbage
 * collections (so neither earlier garbage nor the load's own counts).
 */
async function memoryPerAgent(dataDir: string): Promise<number> {
  v8.setFlagsFromString('--expose-gc');
  const collectGarbage = runInNewContext('gc') as () => void;
  collectGarbage();
  const before = process.memoryUsage().heapUsed;
  const reopened = createEmbeddedStore({ dataDir });
  const count = await reopened.collection('agw.agents').countDocuments({});
  collectGarbage();
  const perAgent = Math.round((process.memoryUsage().heapUsed - before) / count);
  await reopened.close();
  return perAgent;
}
