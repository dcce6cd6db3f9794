import { expect } from 'chai';
import { admitSession } from '../../nfs/smf/admission.ts';
import type { AgentRecord, AgwConsumer, ReachDecision } from '../../nfs/smf/consumer.ts';
import { smfSettingsSchema } from '../../nfs/smf/settings.ts';
import { checkSettings } from '../../nfs/shared/settings-file.ts';
import { refusal } from '../support/refusal.ts';

const cap = '/capability/qos-optimisation';

function agent(aic: string, state: AgentRecord['state'], capabilities = [cap]): AgentRecord {
  return { aic, state, capabilities, a2aUrl: 'http://127.0.0.1:9/a2a', certificatePem: '', load: 0, acs: {} as AgentRecord['acs'] };
}

function fakeAgw(records: AgentRecord[], reach: ReachDecision = { allowed: true }): AgwConsumer & { reachAsked: number } {
  const fake = {
    reachAsked: 0,
    getRegistration: async (aic: string) => records.find((record) => record.aic === aic),
    checkReach: async () => {
      fake.reachAsked += 1;
      return reach;
    },
  };
  return fake;
}

describe('SMF admission of a session at the AGW (fake AGW)', () => {
  const request = { initiatorAic: 'INITIATOR', targetAic: 'TARGET', capabilityId: cap };

  it('admits two ACTIVE agents when the target holds the capability and policy allows it', async () => {
    const agw = fakeAgw([agent('INITIATOR', 'ACTIVE', []), agent('TARGET', 'ACTIVE')]);
    const pair = await admitSession(agw, request);
    expect(pair.target.aic).to.equal('TARGET');
    expect(agw.reachAsked).to.equal(1);
  });

  for (const [state, status, cause] of [
    ['STALE', 409, 'TARGET_NOT_REACHABLE'],
    ['UE_IDLE', 409, 'TARGET_NOT_REACHABLE'],
    ['SUSPENDED', 403, 'TARGET_CREDENTIAL_SUSPENDED'],
    ['REVOKED', 403, 'TARGET_CREDENTIAL_REVOKED'],
  ] as const) {
    it(`refuses a ${state} target with ${status} ${cause} before asking policy`, async () => {
      const agw = fakeAgw([agent('INITIATOR', 'ACTIVE'), agent('TARGET', state)]);
      const error = await refusal(admitSession(agw, request));
      expect([error.status, error.cause]).to.deep.equal([status, cause]);
      expect(agw.reachAsked).to.equal(0);
    });
  }

  it('refuses an initiator that is not ACTIVE', async () => {
    const error = await refusal(admitSession(fakeAgw([agent('INITIATOR', 'STALE'), agent('TARGET', 'ACTIVE')]), request));
    expect(error.cause).to.equal('INITIATOR_NOT_REACHABLE');
  });

  it('tells a policy denial from a target the gateway no longer answers', async () => {
    const records = [agent('INITIATOR', 'ACTIVE'), agent('TARGET', 'ACTIVE')];
    expect((await refusal(admitSession(fakeAgw(records, { allowed: false, reason: 'POLICY_DENIED', detail: 'rule r1' }), request))).cause).to.equal('POLICY_DENIED');
    expect((await refusal(admitSession(fakeAgw(records, { allowed: false, reason: 'NOT_DISCOVERABLE', detail: 'gone' }), request))).cause).to.equal('TARGET_NOT_REACHABLE');
  });

  it('checks SMF settings against their schema', () => {
    expect(checkSettings('smf', smfSettingsSchema, { sessionLifetimeSeconds: 60 })).to.deep.equal({ sessionLifetimeSeconds: 60 });
    expect(() => checkSettings('smf', smfSettingsSchema, { sessionLifetime: 60 })).to.throw(/sessionLifetime/);
    expect(() => checkSettings('smf', smfSettingsSchema, { sessionLifetimeSeconds: 0 })).to.throw(/smf.sessionLifetimeSeconds/);
  });
});
