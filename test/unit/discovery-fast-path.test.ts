import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createDiscoveryFastPath } from '../../nfs/nrf/discovery-fast-path.ts';
import type { DiscoveryQuery, SearchResult } from '../../nfs/nrf/types.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { compileQueryCheck, compileSchemaCheck } from '../../nfs/shared/schema-validator.ts';

/** Drives the fast path with stand-in request and response objects; counts searches and fall-throughs. */
async function fastPathWithCounters(options: { maxAgeMs?: number } = {}) {
  let clock = 0;
  let version = 1;
  const searches: DiscoveryQuery[] = [];
  const handle = createDiscoveryFastPath({
    search: async (query) => {
      searches.push(query);
      return { validityPeriod: 30, nfInstances: [], numNfInstComplete: 0 } satisfies SearchResult;
    },
    registryVersion: () => version,
    checkQuery: await compileQueryCheck('nnrf-disc.yaml', '/nf-instances', 'get'),
    checkResult: await compileSchemaCheck('nnrf-disc.yaml', 'SearchResult'),
    logger: createLogger({ nf: 'NRF', level: 'silent' }),
    maxAgeMs: options.maxAgeMs,
    now: () => clock,
  });
  const get = (url: string) =>
    new Promise<{ answered: boolean; status?: number; body?: string }>((resolve) => {
      const res = {
        writeHead: (status: number) => ((res as { status?: number }).status = status),
        end: (body: string) => resolve({ answered: true, status: (res as { status?: number }).status, body }),
      } as unknown as ServerResponse;
      handle({ method: 'GET', url, headers: {} } as IncomingMessage, res, () => resolve({ answered: false }));
    });
  return { get, searches, bump: () => (version += 1), advance: (ms: number) => (clock += ms) };
}

const query = '/nnrf-disc/v1/nf-instances?target-nf-type=AMF&requester-nf-type=SMF';

describe('NRF discovery fast path', () => {
  it('answers a repeated query from its cache until the registry changes', async () => {
    const path = await fastPathWithCounters();
    expect((await path.get(query)).status).to.equal(200);
    await path.get(query);
    await path.get(`${query}&requester-nf-instance-id=5a8f1d6e-4d3b-4c2a-9f1e-2b3c4d5e6f70`);
    expect(path.searches).to.have.length(1);
    path.bump();
    await path.get(query);
    expect(path.searches).to.have.length(2);
  });

  it('searches again once an entry is older than maxAgeMs', async () => {
    const path = await fastPathWithCounters({ maxAgeMs: 1000 });
    await path.get(query);
    path.advance(999);
    await path.get(query);
    expect(path.searches).to.have.length(1);
    path.advance(2);
    await path.get(query);
    expect(path.searches).to.have.length(2);
  });

  it('leaves invalid, repeated-parameter and other requests to express', async () => {
    const path = await fastPathWithCounters();
    expect((await path.get('/nnrf-disc/v1/nf-instances?target-nf-type=AMF')).answered).to.equal(false);
    expect((await path.get(`${query}&limit=0`)).answered).to.equal(false);
    expect((await path.get(`${query}&target-nf-type=SMF`)).answered).to.equal(false);
    expect((await path.get('/nnrf-nfm/v1/nf-instances')).answered).to.equal(false);
    expect(path.searches).to.have.length(0);
  });

  it('coerces and splits the query as the OpenAPI file says', async () => {
    const path = await fastPathWithCounters();
    await path.get(`${query}&service-names=namf-comm,namf-evts&limit=2`);
    expect(path.searches[0]).to.include({ targetNfType: 'AMF', requesterNfType: 'SMF', limit: 2 });
    expect(path.searches[0].serviceNames).to.deep.equal(['namf-comm', 'namf-evts']);
  });
});
