/**
 * How the SMF tells a session's caller of the AGW's answers (nfs/smf/consumer.ts): a refusal of
 * what the caller named (an AIC, a requester whose credential is no longer good) is the caller's
 * 4xx; anything else the AGW says is the SMF's 502.
 */
import { expect } from 'chai';
import { createAgwConsumer } from '../../nfs/smf/consumer.ts';
import type { SbiClient } from '../../nfs/shared/sbi-client.ts';

/** The one fake: an SBI client whose every call gets the same answer. */
const answering = (status: number, data: unknown): SbiClient => ({
  call: async <T>() => ({ status, data: data as T, headers: {} }),
  serviceUri: async () => 'http://agw.invalid/nagw-pol/v1',
});

const reach = (sbi: SbiClient) => createAgwConsumer(sbi).checkReach('requester', 'target', '/capability/location').then(() => undefined, (error: unknown) => error);

describe('SMF consumer of the AGW', () => {
  for (const cause of ['CREDENTIAL_SUSPENDED', 'CREDENTIAL_REVOKED']) {
    it(`passes the AGW's 403 ${cause} for the requester on as the initiator's 403`, async () => {
      expect(await reach(answering(403, { status: 403, cause, detail: 'the requester is held' }))).to.include({ status: 403, cause: `INITIATOR_${cause}` });
    });
  }

  it("answers 502 AGW_FAILURE for another refusal of the SMF's own request", async () => {
    expect(await reach(answering(403, { status: 403, cause: 'INSUFFICIENT_SCOPE' }))).to.include({ status: 502, cause: 'AGW_FAILURE' });
  });
});
