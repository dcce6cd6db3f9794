/**
 * The AMC's event lines (nfs/amc/audit.ts): every AAAP decision and every credential operation,
 * refusals included, logged as `event` with its type, outcome and cause; never a provider secret.
 */
import { expect } from 'chai';
import { Writable } from 'node:stream';
import winston from 'winston';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { acme, registerAgent, startTestCore, type TestCore } from '../support/core-harness.ts';
import { request } from '../support/nrf-harness.ts';

interface EventLine { message: string; type: string; outcome: string; cause?: string; aic?: string; serialNumber?: string; providerId?: string }

describe("AMC event lines for its decisions on agents' identities", function () {
  this.timeout(30_000);
  const lines: string[] = [];
  let core: TestCore;
  before(async () => {
    const sink = new Writable({ write: (chunk, _encoding, done) => { lines.push(...String(chunk).split('\n').filter(Boolean)); done(); } });
    const logger = winston.createLogger({ level: 'info', format: winston.format.json(), transports: [new winston.transports.Stream({ stream: sink })] });
    core = await startTestCore({ amc: { logger } });
  });
  after(async () => core?.close());

  const events = (type: string) => lines.map((line) => JSON.parse(line) as EventLine).filter((line) => line.message === 'event' && line.type === type);

  it('logs a registration as a granted authorization and an issued credential', async () => {
    const { body } = await registerAgent(core.agwUrl, { name: 'audited' });
    const serialNumber = body.acs.security.credentialSerialNumber;
    expect(events('credential.issued').filter((event) => event.aic === body.aic)).to.deep.equal([
      { message: 'event', level: 'info', type: 'credential.issued', outcome: 'success', aic: body.aic, grantId: (events('aaap.authorization').at(-1) as unknown as { grantId: string }).grantId, serialNumber },
    ]);
    expect(events('aaap.authorization').at(-1)).to.include({ outcome: 'success', providerId: 'operator-core' });
  });

  it('logs refusals with their causes: a denied provider, a renewal with another key, a suspension for another reason', async () => {
    const key = await createAgentKeyAndCsr();
    const secret = 'not-the-acme-secret-at-all';
    const denied = await request('POST', `${core.amcUrl}/namc-auth/v1/authorizations`, {
      gateway: { nfInstanceId: core.agw.nfInstanceId, domain: 'operator.example' }, provider: { ...acme, clientSecret: secret },
      agent: { name: 'a', version: '1.0', kind: 'capability-agent' }, requestedCapabilities: ['/capability/billing-plan'], publicKeySha256: key.publicKeySpkiSha256, csrPem: key.csrPem,
    });
    expect(denied.body.decision).to.equal('DENY');
    expect(events('aaap.authorization').at(-1)).to.include({ outcome: 'refused', cause: 'INVALID_PROVIDER_CREDENTIAL', providerId: 'acme-agents' });
    expect(lines.some((line) => line.includes(secret)), 'the secret is never logged').to.equal(false);

    const { body } = await registerAgent(core.agwUrl, { name: 'renewal-refused' });
    const serialNumber = body.acs.security.credentialSerialNumber;
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/renew`, { csrPem: key.csrPem })).status).to.equal(403);
    expect(events('credential.renewed').at(-1)).to.include({ outcome: 'refused', cause: 'KEY_MISMATCH', serialNumber });
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/suspend`, { reason: 'keyCompromise' })).status).to.equal(400);
    expect(events('credential.suspended').at(-1)).to.include({ outcome: 'refused', cause: 'MANDATORY_IE_INCORRECT', serialNumber });
    expect((await request('POST', `${core.amcUrl}/namc-cred/v1/credentials/${serialNumber}/revoke`, { reason: 'keyCompromise' })).status).to.equal(200);
    expect(events('credential.revoked').at(-1)).to.include({ outcome: 'success', serialNumber, aic: body.aic, status: 'REVOKED', reason: 'keyCompromise' });
  });
});
