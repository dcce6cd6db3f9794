import { expect } from 'chai';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createCachedQueryFastPath } from '../../nfs/shared/cached-query-fast-path.ts';
import { currentCorrelationId } from '../../nfs/shared/correlation.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';
import { compileQueryCheck } from '../../nfs/shared/schema-validator.ts';

/** The AGW's discovery path over stand-in request and response objects; counts computed answers. */
async function discoveryPath(options: { admitOnSecondRequest?: (keyQuery: Record<string, unknown>) => boolean } = {}) {
  let clock = 0;
  const computed: Array<Record<string, unknown>> = [];
  const handle = createCachedQueryFastPath({
    path: '/nagw-disc/v1/agents',
    checkQuery: await compileQueryCheck('nagw-disc.yaml', '/agents', 'get'),
    version: () => 1,
    admitOnSecondRequest: options.admitOnSecondRequest,
    answer: async (query) => {
      computed.push(query);
      return Buffer.from(JSON.stringify({ answer: computed.length }));
    },
    logger: createLogger({ nf: 'AGW', level: 'silent' }),
    now: () => clock,
  });
  const get = (url: string) =>
    new Promise<{ answered: boolean; body?: string }>((resolve) => {
      const res = { writeHead: () => undefined, end: (body: Buffer) => resolve({ answered: true, body: body.toString() }) } as unknown as ServerResponse;
      handle({ method: 'GET', url, headers: {} } as IncomingMessage, res, () => resolve({ answered: false }));
    });
  return { get, computed, advance: (ms: number) => (clock += ms) };
}

const byRequester = '/nagw-disc/v1/agents?capability-id=/capability/qos-optimisation&requester-aic=1.2.156.3088.1.2.1.1.1.0XJD';
const anonymous = '/nagw-disc/v1/agents?capability-id=/capability/qos-optimisation';
const namesRequester = (keyQuery: Record<string, unknown>) => keyQuery['requester-aic'] !== undefined;

describe('cached query fast path', () => {
  it('keeps an answer from its first request when keys are shared', async () => {
    const path = await discoveryPath({ admitOnSecondRequest: namesRequester });
    const first = await path.get(anonymous);
    const second = await path.get(anonymous);
    expect(path.computed).to.have.length(1);
    expect(second.body).to.equal(first.body);
  });

  it("keeps one requester's answer only once that requester asks again within maxAgeMs", async () => {
    const path = await discoveryPath({ admitOnSecondRequest: namesRequester });
    await path.get(byRequester);
    await path.get(byRequester);
    expect(path.computed, 'the second request is answered afresh, then kept').to.have.length(2);
    const third = await path.get(byRequester);
    expect(path.computed).to.have.length(2);
    expect(third.body).to.equal(JSON.stringify({ answer: 2 }));
  });

  it('forgets a first request older than maxAgeMs', async () => {
    const path = await discoveryPath({ admitOnSecondRequest: namesRequester });
    await path.get(byRequester);
    path.advance(1500);
    await path.get(byRequester);
    await path.get(byRequester);
    expect(path.computed, 'the request after the pause counts as a first one').to.have.length(3);
  });

  it('without the admission rule, keeps every answer from its first request', async () => {
    const path = await discoveryPath();
    await path.get(byRequester);
    await path.get(byRequester);
    expect(path.computed).to.have.length(1);
  });
});

describe('cached query fast path, refusals', () => {
  it("answers a refusal the answer makes itself, as express's error handler would, its headers included, and keeps nothing", async () => {
    let computed = 0;
    const handle = createCachedQueryFastPath({
      path: '/nagw-disc/v1/agents',
      checkQuery: await compileQueryCheck('nagw-disc.yaml', '/agents', 'get'),
      version: () => 1,
      answer: async () => {
        computed += 1;
        throw new ProblemError(403, 'policy rule r1 denies this', { cause: 'POLICY_DENIED', headers: { 'x-rule': 'r1' } });
      },
      logger: createLogger({ nf: 'AGW', level: 'silent' }),
    });
    const get = () =>
      new Promise<{ status?: number; headers?: Record<string, unknown>; body?: string; passedOn?: boolean }>((resolve) => {
        let head: { status: number; headers: Record<string, unknown> } | undefined;
        const res = {
          writeHead: (status: number, headers: Record<string, unknown>) => (head = { status, headers }),
          end: (body: Buffer) => resolve({ ...head, body: body.toString() }),
        } as unknown as ServerResponse;
        handle({ method: 'GET', url: anonymous, headers: {} } as IncomingMessage, res, () => resolve({ passedOn: true }));
      });
    const refused = await get();
    expect(refused.passedOn, 'not handed to express, which would compute it again').to.equal(undefined);
    expect(refused.status).to.equal(403);
    expect(refused.headers).to.include({ 'content-type': 'application/problem+json', 'x-rule': 'r1' });
    expect(JSON.parse(refused.body!)).to.deep.equal({ type: 'about:blank', title: 'Forbidden', status: 403, detail: 'policy rule r1 denies this', instance: anonymous, cause: 'POLICY_DENIED' });
    await get();
    expect(computed, 'a refusal is not cached').to.equal(2);
  });
  it('answers with the correlation id the events of the request carry: the caller\'s, or one made for it; computed, failed, from the cache, or passed to express', async () => {
    const seen: Array<string | undefined> = [];
    const hits: Array<string | undefined> = [];
    const handle = createCachedQueryFastPath({
      path: '/nagw-disc/v1/agents',
      checkQuery: await compileQueryCheck('nagw-disc.yaml', '/agents', 'get'),
      version: () => 1,
      answer: async (query) => {
        seen.push(currentCorrelationId());
        if (query['provider-id'] === 'refused') throw new ProblemError(403, 'refused by a rule', { cause: 'POLICY_DENIED' });
        if (query['provider-id'] === 'for-express') return undefined;
        if (query['provider-id'] === 'failing') throw new Error('the store failed');
        return Buffer.from('{}');
      },
      onCacheHit: () => hits.push(currentCorrelationId()),
      logger: createLogger({ nf: 'AGW', level: 'silent' }),
      now: () => 0,
    });
    let lastStatus = 0;
    const headerOf = (url: string, headers: Record<string, string> = {}) =>
      new Promise<string>((resolve, reject) => {
        let id = '';
        const res = { writeHead: (status: number, head: Record<string, string>) => ((lastStatus = status), (id = head['x-correlation-id'])), end: () => resolve(id) } as unknown as ServerResponse;
        handle({ method: 'GET', url, headers } as unknown as IncomingMessage, res, () => reject(new Error('passed on')));
      });
    const passedOn = (url: string) =>
      new Promise<IncomingMessage>((resolve) => {
        const req = { method: 'GET', url, headers: {} } as unknown as IncomingMessage;
        handle(req, {} as ServerResponse, () => resolve(req));
      });
    const made = await headerOf(`${anonymous}&provider-id=p1`);
    expect(made).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(seen.at(-1)).to.equal(made);
    expect(await headerOf(`${anonymous}&provider-id=p2`, { 'x-correlation-id': 'ue-1.intent-7' })).to.equal('ue-1.intent-7');
    expect(seen.at(-1)).to.equal('ue-1.intent-7');
    const refused = await headerOf(`${anonymous}&provider-id=refused`);
    expect(seen.at(-1)).to.equal(refused);
    expect(await headerOf(`${anonymous}&provider-id=p3`, { 'x-correlation-id': 'not acceptable\n' })).to.equal(seen.at(-1)).and.not.contain('\n');
    const fromCache = await headerOf(`${anonymous}&provider-id=p1`);
    expect(hits, 'one hit, recorded under the answer\'s id').to.deep.equal([fromCache]);
    expect(fromCache).to.not.equal(made);
    expect(await headerOf(`${anonymous}&provider-id=p1`, { 'x-correlation-id': 'ue-2.intent-9' })).to.equal('ue-2.intent-9');
    expect(hits.at(-1)).to.equal('ue-2.intent-9');
    const toExpress = await passedOn(`${anonymous}&provider-id=for-express`);
    expect(toExpress.headers['x-correlation-id'], 'express answers under the id the first attempt recorded').to.equal(seen.at(-1));
    const failed = await headerOf(`${anonymous}&provider-id=failing`);
    expect([lastStatus, failed], 'a failure answered here, not computed again by express, under the id its attempt recorded').to.deep.equal([500, seen.at(-1)]);
  });
});
