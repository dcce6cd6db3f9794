/**
 * A real NRF, AMC and AGW in this process on port 0 over one in-memory store, for tests of the
 * agent identity story over HTTP, plus a helper that registers an agent the way an agent does.
 */
import { randomBytes } from 'node:crypto';
import { createAgw, type AgwDeps, type AgwHandle } from '../../nfs/agw/app.ts';
import { createAmc, type AmcDeps, type AmcHandle } from '../../nfs/amc/app.ts';
import { createNrf } from '../../nfs/nrf/app.ts';
import { createSmf, type SmfHandle } from '../../nfs/smf/app.ts';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf, type ListeningNf } from '../../nfs/shared/nf-host.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';
import { request } from './nrf-harness.ts';

export interface TestCore {
  store: Store;
  nrfUrl: string;
  amcUrl: string;
  agwUrl: string;
  amc: AmcHandle;
  agw: AgwHandle;
  /** With `smf: true`: the SMF that authorizes the intent agent's semantic sessions. */
  smf?: SmfHandle;
  /** With `smf: true`: http://host:port/nsmf-agentsession/v1 */
  sessionsApi?: string;
  close(): Promise<void>;
}

const silent = (nf: string) => createLogger({ nf, level: 'silent' });

export async function startTestCore(options: { agw?: Partial<AgwDeps>; amc?: Partial<AmcDeps>; store?: Store; oauth?: boolean; smf?: boolean } = {}): Promise<TestCore> {
  const store = options.store ?? createEmbeddedStore();
  const listening: ListeningNf[] = [];
  const nrf = await listenNf(await createNrf({ store, logger: silent('NRF'), oauth: options.oauth }), { host: '127.0.0.1', port: 0 });
  listening.push(nrf);
  const amc = await createAmc({ store, logger: silent('AMC'), nrfUri: nrf.apiRoot, notifier: { minRetryDelayMs: 20 }, oauth: options.oauth, ...options.amc });
  const amcListening = await listenNf(amc, { host: '127.0.0.1', port: 0 });
  listening.push(amcListening);
  const agw = await createAgw({ store, logger: silent('AGW'), nrfUri: nrf.apiRoot, oauth: options.oauth, ...options.agw });
  const agwListening = await listenNf(agw, { host: '127.0.0.1', port: 0 });
  listening.push(agwListening);
  await waitForSubscription(store);
  let smf: SmfHandle | undefined;
  let sessionsApi: string | undefined;
  if (options.smf) {
    smf = await createSmf({ store, logger: silent('SMF'), nrfUri: nrf.apiRoot, oauth: options.oauth, backgroundTimers: false, notifier: { minRetryDelayMs: 20 } });
    const smfListening = await listenNf(smf, { host: '127.0.0.1', port: 0 });
    listening.push(smfListening);
    sessionsApi = `${smfListening.apiRoot}/nsmf-agentsession/v1`;
  }
  return {
    smf,
    sessionsApi,
    store,
    nrfUrl: nrf.apiRoot,
    amcUrl: amcListening.apiRoot,
    agwUrl: agwListening.apiRoot,
    amc,
    agw,
    async close() {
      for (const nf of listening.reverse()) await nf.close();
      if (!options.store) await store.close();
    },
  };
}

/** The AGW subscribes to credential events in the background once it listens. */
async function waitForSubscription(store: Store): Promise<void> {
  for (let i = 0; i < 100; i += 1) {
    if (await store.collection('amc.subscribers').countDocuments({})) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the AGW did not subscribe to AMC credential events');
}

export const operatorCore = { providerId: 'operator-core', clientSecret: 'operator-core-demo-secret' };
export const acme = { providerId: 'acme-agents', clientSecret: 'acme-agents-demo-secret' };
export const operatorAmf = { providerId: 'operator-amf', clientSecret: 'operator-amf-demo-secret' };

export const freshNonce = () => randomBytes(12).toString('base64url');

export interface RegistrationInput {
  provider?: { providerId: string; clientSecret: string };
  name?: string;
  kind?: string;
  description?: string;
  capabilities?: string[];
  a2aUrl?: string;
  invokeUrl?: string;
  gdpr?: boolean;
  onBehalfOf?: { supi: string; cmState: string };
  csrPem?: string;
  nonce?: string;
}

/** Registers an agent over HTTP with a fresh key; returns the answer and the agent's key material. */
export async function registerAgent(agwUrl: string, input: RegistrationInput = {}) {
  const key = await createAgentKeyAndCsr();
  const body = {
    provider: input.provider ?? operatorCore,
    agent: {
      name: input.name ?? 'qos-agent',
      version: '1.0.0',
      // The demonstration third party's account allows third-party agents alone (amc/settings.ts).
      kind: input.kind ?? (input.provider?.providerId === acme.providerId ? 'third-party' : 'capability-agent'),
      description: input.description ?? 'Improves the quality of service of UE traffic',
      ...(input.gdpr !== undefined ? { securityAttributes: { gdpr: input.gdpr } } : {}),
    },
    requestedCapabilities: input.capabilities ?? ['/capability/qos-optimisation'],
    endpoints: { a2aUrl: input.a2aUrl ?? 'http://127.0.0.1:9/a2a', ...(input.invokeUrl ? { invokeUrl: input.invokeUrl } : {}) },
    csrPem: input.csrPem ?? key.csrPem,
    nonce: input.nonce ?? freshNonce(),
    ...(input.onBehalfOf ? { onBehalfOf: input.onBehalfOf } : {}),
  };
  const res = await request('POST', `${agwUrl}/nagw-reg/v1/registrations`, body);
  if (res.status === 201) registrationTokens.set(res.body.aic, res.body.registrationAccessToken);
  return { ...res, key, sent: body };
}

/** Registration access tokens of the agents registerAgent registered, by AIC. */
const registrationTokens = new Map<string, string>();

/** Headers for an operation on one registration (heartbeat, UE state, deregistration). */
export function asRegistrant(aic: string, extra: Record<string, string> = {}): Record<string, string> {
  return { ...extra, authorization: `Bearer ${registrationTokens.get(aic) ?? 'unknown-registration-token'}` };
}
