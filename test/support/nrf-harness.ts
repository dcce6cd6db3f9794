/** Starts a real NRF on port 0 over a fresh in-memory store, for tests that speak HTTP to it. */
import { createNrf, type NrfDeps, type NrfHandle } from '../../nfs/nrf/app.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { listenNf, type ListeningNf } from '../../nfs/shared/nf-host.ts';
import { createEmbeddedStore } from '../../nfs/shared/store/embedded-store.ts';
import type { Store } from '../../nfs/shared/store/collection.ts';

export interface TestNrf {
  url: string;
  nrf: NrfHandle;
  store: Store;
  listening: ListeningNf;
  close(): Promise<void>;
}

export async function startTestNrf(overrides: Partial<Omit<NrfDeps, 'store' | 'logger'>> = {}): Promise<TestNrf> {
  const store = createEmbeddedStore();
  const nrf = await createNrf({ store, logger: createLogger({ nf: 'NRF', level: 'silent' }), ...overrides });
  const listening = await listenNf(nrf, { host: '127.0.0.1', port: 0 });
  return {
    url: listening.apiRoot,
    nrf,
    store,
    listening,
    async close() {
      await listening.close();
      await store.close();
    },
  };
}

/** A TS 29.510-shaped AMF profile, as a real AMF registers it (amfInfo, nfServices, slices, PLMN). */
export function amfProfile(nfInstanceId: string, overrides: Record<string, unknown> = {}) {
  return {
    nfInstanceId,
    nfInstanceName: 'amf-1',
    nfType: 'AMF',
    nfStatus: 'REGISTERED',
    heartBeatTimer: 10,
    plmnList: [{ mcc: '001', mnc: '01' }],
    sNssais: [{ sst: 1, sd: '010203' }, { sst: 2 }],
    ipv4Addresses: ['127.0.0.18'],
    priority: 1,
    capacity: 100,
    load: 5,
    locality: 'site-a',
    amfInfo: {
      amfSetId: '3f8',
      amfRegionId: 'ca',
      guamiList: [{ plmnId: { mcc: '001', mnc: '01' }, amfId: 'cafe00' }],
      taiList: [{ plmnId: { mcc: '001', mnc: '01' }, tac: '000001' }],
    },
    nfServices: [
      {
        serviceInstanceId: '0',
        serviceName: 'namf-comm',
        versions: [{ apiVersionInUri: 'v1', apiFullVersion: '1.0.0' }],
        scheme: 'http',
        nfServiceStatus: 'REGISTERED',
        ipEndPoints: [{ ipv4Address: '127.0.0.18', transport: 'TCP', port: 8000 }],
        apiPrefix: '',
      },
      {
        serviceInstanceId: '1',
        serviceName: 'namf-evts',
        versions: [{ apiVersionInUri: 'v1', apiFullVersion: '1.0.0' }],
        scheme: 'http',
        nfServiceStatus: 'REGISTERED',
        ipEndPoints: [{ ipv4Address: '127.0.0.18', transport: 'TCP', port: 8000 }],
      },
    ],
    // Fields of Release 17 this subset does not type: they must round-trip untouched.
    nfProfileChangesSupportInd: true,
    defaultNotificationSubscriptions: [{ notificationType: 'N1_MESSAGES', callbackUri: 'http://127.0.0.18:8000/n1', n1MessageClass: '5GMM' }],
    ...overrides,
  };
}

/** JSON over fetch, returning status, headers and parsed body. */
export async function request(
  method: string,
  url: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; body: any }> {
  const init: RequestInit = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    (init.headers as Record<string, string>)['content-type'] ??= method === 'PATCH' ? 'application/json-patch+json' : 'application/json';
  }
  const res = await fetch(url, init);
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, headers: res.headers, body: parsed };
}
