/**
 * `dmsc discover` prints a signed answer only if it answers this question now: a signature
 * proves who made an answer, not that it answers this query (requireAnswerTo).
 */
import { expect } from 'chai';
import { requireAnswerTo } from '../../bin/commands/discover.ts';
import type { components } from '../../openapi/generated/nagw-disc.ts';

type DiscoveryAnswer = components['schemas']['DiscoveryAnswer'];

const issuedAt = Date.parse('2026-11-24T12:00:00.000Z');
const structured = (structuredQuery: DiscoveryAnswer['structuredQuery'], validityPeriod = 5): DiscoveryAnswer =>
  ({ gatewayId: 'g', issuedAt: new Date(issuedAt).toISOString(), validityPeriod, structuredQuery, agents: [], signature: 's' }) as DiscoveryAnswer;
const resolved = (query: string): DiscoveryAnswer => ({ gatewayId: 'g', issuedAt: new Date(issuedAt).toISOString(), validityPeriod: 5, query, agents: [], signature: 's' }) as DiscoveryAnswer;
const failure = (check: () => void): string => {
  try {
    check();
  } catch (error) {
    return (error as Error).message;
  }
  return 'taken';
};
const qos = '/capability/qos-optimisation';

describe('dmsc discover: a signed answer must answer this query, now', () => {
  it('takes the answer to the capability id and limit asked, within its validity period and the clock allowance', () => {
    for (const at of [issuedAt - 4_000, issuedAt, issuedAt + 5_000, issuedAt + 9_999]) {
      expect(failure(() => requireAnswerTo(structured({ capabilityId: qos, limit: 10 }), { capabilityId: qos, limit: 10 }, at)), String(at - issuedAt)).to.equal('taken');
    }
  });

  it('refuses a signed answer to another capability, another limit, or one narrowed by another filter', () => {
    for (const other of [{ capabilityId: '/capability/location', limit: 10 }, { capabilityId: qos, limit: 3 }, { capabilityId: qos, limit: 10, providerId: 'acme-agents' }, undefined]) {
      expect(failure(() => requireAnswerTo(structured(other), { capabilityId: qos, limit: 10 }, issuedAt)), JSON.stringify(other)).to.match(/is for another query .*: not trusted$/);
    }
  });

  it('refuses an answer past its validity period and the allowance, or issued in the future', () => {
    expect(failure(() => requireAnswerTo(structured({ capabilityId: qos, limit: 10 }), { capabilityId: qos, limit: 10 }, issuedAt + 10_001))).to.match(/not an answer made now/);
    expect(failure(() => requireAnswerTo(structured({ capabilityId: qos, limit: 10 }, 0), { capabilityId: qos, limit: 10 }, issuedAt + 5_001))).to.match(/not an answer made now/);
    expect(failure(() => requireAnswerTo(structured({ capabilityId: qos, limit: 10 }), { capabilityId: qos, limit: 10 }, issuedAt - 5_001))).to.match(/not an answer made now/);
  });

  it('refuses an answer with more agents than the limit asked for', () => {
    const agent = { aic: 'a', score: 1, capabilities: [qos], a2aUrl: 'http://127.0.0.1:9/a2a' };
    const answer = { ...resolved('fix my home broadband'), agents: [agent, agent, agent] } as DiscoveryAnswer;
    expect(failure(() => requireAnswerTo(answer, { text: 'fix my home broadband', limit: 2 }, issuedAt))).to.match(/holds 3 agents, more than the 2 asked for/);
    expect(failure(() => requireAnswerTo(answer, { text: 'fix my home broadband', limit: 3 }, issuedAt))).to.equal('taken');
  });

  it('takes a resolution of the text as the gateway screens it, and refuses one of other text', () => {
    expect(failure(() => requireAnswerTo(resolved('fix my home broadband'), { text: 'fix my home broadband', limit: 10 }, issuedAt))).to.equal('taken');
    // The gateway removes invisible characters before it resolves.
    expect(failure(() => requireAnswerTo(resolved('fix my home broadband'), { text: 'fix my\u200b home broadband', limit: 10 }, issuedAt))).to.equal('taken');
    expect(failure(() => requireAnswerTo(resolved('where am I'), { text: 'fix my home broadband', limit: 10 }, issuedAt))).to.match(/is for another query/);
  });
});
