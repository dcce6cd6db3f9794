/**
 * `dmsc bench nrf`: the NRF in its own process, load from this one with autocannon on loopback.
 * registerPerSec: NFRegister of `profiles` distinct profiles; then discovery throughput and
 * latency against that registry; then the same load on a bare node:http server answering the
 * same body (the ceiling this machine allows), and the ratio of the two.
 */
import autocannon from 'autocannon';
import { runFixedAmount } from './fixed-amount.ts';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startChildServer } from './child-process.ts';
import { serverNodeFlagsFor } from '../bin/server-node-flags.ts';

export interface NrfBenchOptions {
  profiles: number;
  durationSeconds: number;
  connections: number;
  progress: (message: string) => void;
}

export interface NrfBenchResult {
  profiles: number;
  connections: number;
  durationSeconds: number;
  registerPerSec: number;
  discoveryPerSec: number;
  discoveryP50Ms: number;
  discoveryP99Ms: number;
  discoveryErrors: number;
  /** The same query with a preferred-locality no profile has, new on every request: no cache hit. */
  discoveryUncachedPerSec: number;
  discoveryUncachedP99Ms: number;
  ceilingPerSec: number;
  ceilingP99Ms: number;
  ratio: number;
  responseBytes: number;
  query: string;
}

const dmsc = fileURLToPath(new URL('../bin/dmsc.js', import.meta.url));
const fixedBodyServer = fileURLToPath(new URL('./fixed-body-server.ts', import.meta.url));
const nfTypes = ['AMF', 'SMF', 'AGW', 'AMC', 'AGENT_NF'];
const serviceOf: Record<string, string> = { AMF: 'namf-comm', SMF: 'nsmf-pdusession', AGW: 'nagw-disc', AMC: 'namc-cred', AGENT_NF: 'nagent-intent' };
const query = '/nnrf-disc/v1/nf-instances?target-nf-type=SMF&requester-nf-type=AMF&service-names=nsmf-pdusession&preferred-locality=site-3&limit=3';

export async function benchNrf(options: NrfBenchOptions): Promise<NrfBenchResult> {
  options.progress('starting the NRF in its own process');
  const nrf = await startChildServer(process.execPath, [...serverNodeFlagsFor(), dmsc, 'nf', 'nrf', '--port', '0', '--json', '--log-level', 'error']);
  try {
    options.progress(`registering ${options.profiles} NF profiles`);
    const registerPerSec = await registerProfiles(nrf.url, options);

    const sample = await fetch(nrf.url + query);
    const body = await sample.text();
    if (sample.status !== 200) throw new Error(`discovery answered ${sample.status}: ${body}`);

    options.progress(`discovery load for ${options.durationSeconds} s`);
    const discovery = await load(nrf.url + query, options);
    options.progress(`uncached discovery load for ${options.durationSeconds} s`);
    const uncached = await loadUncached(nrf.url, options);
    await nrf.stop();

    options.progress('ceiling: the same load on a bare node:http server');
    const bare = await startChildServer(process.execPath, [...serverNodeFlagsFor(), '--import', 'tsx', fixedBodyServer], { BODY: body });
    let ceiling: Awaited<ReturnType<typeof load>>;
    try {
      ceiling = await load(bare.url + query, options);
    } finally {
      await bare.stop();
    }

    return {
      profiles: options.profiles,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      registerPerSec: round(registerPerSec),
      discoveryPerSec: round(discovery.requests.average),
      discoveryP50Ms: discovery.latency.p50,
      discoveryP99Ms: discovery.latency.p99,
      discoveryErrors: discovery.errors + discovery.non2xx + uncached.errors + uncached.non2xx,
      discoveryUncachedPerSec: round(uncached.requests.average),
      discoveryUncachedP99Ms: uncached.latency.p99,
      ceilingPerSec: round(ceiling.requests.average),
      ceilingP99Ms: ceiling.latency.p99,
      ratio: Math.round((discovery.requests.average / ceiling.requests.average) * 1000) / 1000,
      responseBytes: Buffer.byteLength(body),
      query,
    };
  } finally {
    await nrf.stop();
  }
}

async function registerProfiles(nrfUrl: string, options: NrfBenchOptions): Promise<number> {
  const { result, seconds } = await runFixedAmount({
    url: nrfUrl,
    connections: options.connections,
    amount: options.profiles,
    requests: [
      {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        setupRequest: (request) => {
          const id = randomUUID();
          return { ...request, path: `/nnrf-nfm/v1/nf-instances/${id}`, body: JSON.stringify(profileFor(id)) };
        },
      },
    ],
  });
  if (result.non2xx || result.errors) throw new Error(`registration: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result['2xx'] / seconds;
}

async function load(url: string, options: NrfBenchOptions) {
  return await autocannon({ url, connections: options.connections, duration: options.durationSeconds });
}

async function loadUncached(nrfUrl: string, options: NrfBenchOptions) {
  return await autocannon({
    url: nrfUrl,
    connections: options.connections,
    duration: options.durationSeconds,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: query.replace('site-3', `nowhere-${randomUUID()}`) }) }],
  });
}

/** A TS 29.510-shaped profile; types, services and localities spread over the registry. */
function profileFor(id: string) {
  const n = parseInt(id.slice(0, 8), 16);
  const nfType = nfTypes[n % nfTypes.length];
  return {
    nfInstanceId: id,
    nfType,
    nfStatus: 'REGISTERED',
    heartBeatTimer: 3600,
    ipv4Addresses: [`10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`],
    locality: `site-${n % 10}`,
    priority: n % 100,
    capacity: 100,
    plmnList: [{ mcc: '001', mnc: '01' }],
    nfServices: [
      {
        serviceInstanceId: `${serviceOf[nfType]}-0`,
        serviceName: serviceOf[nfType],
        versions: [{ apiVersionInUri: 'v1', apiFullVersion: '1.0.0' }],
        scheme: 'http',
        nfServiceStatus: 'REGISTERED',
        ipEndPoints: [{ ipv4Address: '127.0.0.1', transport: 'TCP', port: 8000 + (n % 1000) }],
      },
    ],
  };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}
