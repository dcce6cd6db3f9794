/**
 * Forwarding of intents (nfs/amf/intent-handler.ts) with fakes of the AGW and the intent agents:
 * discovery kept for its cache time, fail-over in the AGW's order, a failed agent tried last
 * afterwards, a refusal taken as the outcome, and no agent left after maxAttempts.
 */
import { expect } from 'chai';
import type { AgwConsumer, IntentAgentCandidate, IntentAgentInvoker } from '../../nfs/amf/consumer.ts';
import { createForwardingIntentHandler, IntentNotForwardedError } from '../../nfs/amf/intent-handler.ts';
import { createLogger } from '../../nfs/shared/logger.ts';
import { compileSchemaCheck } from '../../nfs/shared/schema-validator.ts';
import { stubOutcome } from '../support/amf-intent-agent-stub.ts';

const request = { supi: 'imsi-001010000000001', text: 'is my broadband line ok?' };

describe('AMF intent forwarding (mode forward), with fakes', () => {
  let now = 0;
  let discoveries = 0;
  let candidates: IntentAgentCandidate[] = [];
  let answers: Record<string, () => Promise<{ status: number; data: unknown }>> = {};
  const calls: string[] = [];
  const agw = { discoverAgents: async () => (discoveries++, candidates) } as unknown as AgwConsumer;
  const invoker: IntentAgentInvoker = {
    invoke: async (url) => {
      calls.push(url);
      return answers[url]();
    },
  };
  const answer = (name: string) => async () => ({ status: 200, data: stubOutcome(name, request) });
  const fail = async () => ({ status: 503, data: {} });

  async function handler(settings: Partial<{ intentDiscoveryCacheSeconds: number; intentMaxAttempts: number }> = {}) {
    return createForwardingIntentHandler({
      agw,
      invoker,
      checkOutcome: await compileSchemaCheck('nagent-tip.yaml', 'IntentOutcome'),
      settings: { intentCapability: '/capability/intent-recognition', intentTimeoutMs: 100, intentMaxAttempts: 3, intentDiscoveryCacheSeconds: 5, ...settings },
      logger: createLogger({ nf: 'AMF', level: 'silent' }),
      now: () => now,
    });
  }

  beforeEach(() => {
    now = 0;
    discoveries = 0;
    calls.length = 0;
    candidates = [
      { aic: 'a', invokeUrl: 'http://a/intents' },
      { aic: 'b', invokeUrl: 'http://b/intents' },
    ];
    answers = { 'http://a/intents': answer('a'), 'http://b/intents': answer('b') };
  });

  it('asks the AGW once per cache time, not once per intent', async () => {
    const forwarding = await handler();
    await forwarding.handleIntent(request);
    await forwarding.handleIntent(request);
    expect(discoveries).to.equal(1);
    now += 5000;
    await forwarding.handleIntent(request);
    expect(discoveries).to.equal(2);
  });

  it('tries an agent that failed after the others on the next intents', async () => {
    answers['http://a/intents'] = fail;
    const forwarding = await handler();
    expect((await forwarding.handleIntent(request)).result).to.equal('b handled: is my broadband line ok?');
    expect(calls).to.deep.equal(['http://a/intents', 'http://b/intents']);
    calls.length = 0;
    await forwarding.handleIntent(request);
    expect(calls).to.deep.equal(['http://b/intents']);
  });

  it('fails over on a network error as on an error answer', async () => {
    answers['http://a/intents'] = async () => {
      throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    };
    expect((await (await handler()).handleIntent(request)).result).to.equal('b handled: is my broadband line ok?');
  });

  it('does not hand an intent to another agent after a timeout, since the first may still carry it out', async () => {
    answers['http://a/intents'] = async () => {
      throw Object.assign(new Error('no answer within 100 ms'), { code: 'ETIMEDOUT' });
    };
    const forwarding = await handler();
    try {
      await forwarding.handleIntent(request);
      expect.fail('expected IntentNotForwardedError');
    } catch (error) {
      expect(error).to.be.instanceOf(IntentNotForwardedError);
    }
    expect(calls).to.deep.equal(['http://a/intents']);
  });

  it('stops after intentMaxAttempts agents and discovers afresh for the next intent', async () => {
    candidates = ['a', 'b', 'c'].map((aic) => ({ aic, invokeUrl: `http://${aic}/intents` }));
    answers = { 'http://a/intents': fail, 'http://b/intents': fail, 'http://c/intents': answer('c') };
    const forwarding = await handler({ intentMaxAttempts: 2 });
    await forwarding.handleIntent(request).then(
      () => expect.fail('forwarded past intentMaxAttempts'),
      (error: Error) => {
        expect(error).to.be.instanceOf(IntentNotForwardedError);
        expect(error.message).to.match(/a: answered 503; b: answered 503/);
      },
    );
    expect(calls).to.deep.equal(['http://a/intents', 'http://b/intents']);
    await forwarding.handleIntent(request).catch(() => undefined);
    expect(discoveries).to.equal(2);
  });

  it('says no agent is available when discovery finds none, or fails', async () => {
    candidates = [];
    await (await handler()).handleIntent(request).then(
      () => expect.fail('forwarded to nobody'),
      (error: Error) => expect(error.message).to.match(/no agent with \/capability\/intent-recognition/),
    );
    const broken = createForwardingIntentHandler({
      agw: { discoverAgents: async () => { throw new Error('AGW unreachable'); } } as unknown as AgwConsumer,
      invoker,
      checkOutcome: () => [],
      settings: { intentCapability: '/capability/intent-recognition', intentTimeoutMs: 100, intentMaxAttempts: 3, intentDiscoveryCacheSeconds: 5 },
      logger: createLogger({ nf: 'AMF', level: 'silent' }),
    });
    await broken.handleIntent(request).then(
      () => expect.fail('forwarded without discovery'),
      (error: Error) => expect(error.message).to.match(/AGW unreachable/),
    );
  });

  it('takes a 400 as a rejected outcome without trying another agent', async () => {
    answers['http://a/intents'] = async () => ({ status: 400, data: { status: 400, detail: 'unreadable', cause: 'BAD_INTENT' } });
    const outcome = await (await handler()).handleIntent(request);
    expect(outcome).to.include({ outcome: 'rejected', cause: 'BAD_INTENT' });
    expect(outcome.result).to.match(/unreadable/);
    expect(calls).to.deep.equal(['http://a/intents']);
  });
});
