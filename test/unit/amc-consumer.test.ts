/**
 * How the AGW tells an agent of the AMC's answers (nfs/agw/consumer.ts): a refusal of the agent's
 * own CSR is the agent's 4xx; a refusal of what the gateway asked for is the gateway's 502.
 */
import { expect } from 'chai';
import { AmcRefusal, createAmcConsumer } from '../../nfs/agw/consumer.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';
import type { SbiClient } from '../../nfs/shared/sbi-client.ts';

/** The one fake: an SBI client whose every call gets the same answer. */
const answering = (status: number, data: unknown): SbiClient => ({
  call: async <T>() => ({ status, data: data as T, headers: {} }),
  serviceUri: async () => 'http://amc.invalid/namc-cred/v1',
});

const issue = (sbi: SbiClient) => createAmcConsumer(sbi).issueCredential({ grantId: 'g', aic: 'a', csrPem: 'c' }).then(() => undefined, (error: unknown) => error);

describe('AGW consumer of the AMC', () => {
  it('passes a refusal of the CSR on as the AMC made it', async () => {
    const error = await issue(answering(400, { status: 400, cause: 'CSR_SIGNATURE_INVALID', detail: 'no proof of possession', invalidParams: [{ param: '/csrPem' }] }));
    expect(error).to.be.instanceOf(ProblemError).and.not.instanceOf(AmcRefusal);
    expect(error).to.include({ status: 400, cause: 'CSR_SIGNATURE_INVALID' });
  });

  it("passes a refusal of the agent's provider on as the AMC made it: suspended between the grant and the issuance", async () => {
    const error = await issue(answering(403, { status: 403, cause: 'PROVIDER_SUSPENDED', detail: 'provider acme is suspended' }));
    expect(error).to.be.instanceOf(ProblemError).and.not.instanceOf(AmcRefusal);
    expect(error).to.include({ status: 403, cause: 'PROVIDER_SUSPENDED' });
  });

  for (const [status, cause] of [[403, 'GRANT_INVALID'], [409, 'AIC_ALREADY_ISSUED'], [401, undefined], [400, 'AIC_CHECKSUM']] as const) {
    it(`answers the agent 502 AMC_REFUSED for the AMC's ${status} ${cause ?? 'without a cause'}, keeping the AMC's words`, async () => {
      const error = await issue(answering(status, { status, ...(cause ? { cause } : {}), detail: 'the AMC says no' }));
      expect(error).to.be.instanceOf(AmcRefusal);
      expect(error).to.include({ status: 502, cause: 'AMC_REFUSED', amcStatus: status, amcCause: cause });
      expect((error as Error).message).to.contain('the AMC says no').and.contain(String(status));
    });
  }

  it('answers 502 AMC_FAILURE for a 5xx', async () => {
    expect(await issue(answering(503, { status: 503, detail: 'overloaded' }))).to.include({ status: 502, cause: 'AMC_FAILURE' });
  });
});
