import { expect } from 'chai';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { CsrError, verifyCsrPem } from '../../nfs/shared/csr.ts';

describe('CSR proof of possession', () => {
  it('checks an exact repeat of a verified CSR once (the AGW and the AMC in one process)', async () => {
    const { csrPem } = await createAgentKeyAndCsr();
    const first = verifyCsrPem(csrPem);
    expect(verifyCsrPem(`${csrPem}`), 'the same result, not a second check').to.equal(first);
    const other = verifyCsrPem((await createAgentKeyAndCsr()).csrPem);
    expect(other.publicKeySpkiSha256).to.not.equal(first.publicKeySpkiSha256);
  });

  it('refuses a CSR with a broken signature every time it comes', async () => {
    const { csrPem } = await createAgentKeyAndCsr();
    const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 5] ^= 0x01; // inside the signature BIT STRING
    const broken = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      let refusal: unknown;
      try {
        verifyCsrPem(broken);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).to.be.instanceOf(CsrError);
      expect((refusal as CsrError).cause).to.be.oneOf(['CSR_SIGNATURE_INVALID', 'INVALID_CSR']);
    }
  });
});
