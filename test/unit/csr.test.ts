import { expect } from 'chai';
import { createAgentKeyAndCsr } from '../../nfs/shared/agent-credentials.ts';
import { checkCsrPem, CsrError, useCsrCheckThread, verifyCsrPem } from '../../nfs/shared/csr.ts';
import { csrCheckThreadRunning, stopCsrCheckThread } from '../../nfs/shared/csr-check-thread.ts';
import { refusal as refusalOf } from '../support/refusal.ts';

function withBrokenSignature(csrPem: string): string {
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 5] ^= 0x01; // inside the signature BIT STRING
  return `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`;
}

describe('CSR proof of possession', () => {
  it('checks on the CSR-check thread what checkCsrPem checks on this one', async () => {
    await stopCsrCheckThread();
    const { csrPem } = await createAgentKeyAndCsr();
    const there = await verifyCsrPem(csrPem);
    expect(csrCheckThreadRunning(), 'the check started the thread').to.equal(true);
    const here = checkCsrPem(csrPem);
    expect(there.publicKeySpkiSha256).to.equal(here.publicKeySpkiSha256).and.to.match(/^[0-9a-f]{64}$/);
    expect(there.publicKeyAlgorithm).to.equal('ECDSA P-256');
    expect(Buffer.from(there.spkiDer).equals(Buffer.from(here.spkiDer))).to.equal(true);
  });

  it('checks an exact repeat of a verified CSR once, a repeat while the check is under way too (the AGW and the AMC in one process)', async () => {
    const { csrPem } = await createAgentKeyAndCsr();
    const during = [verifyCsrPem(csrPem), verifyCsrPem(`${csrPem}`)];
    expect(during[1], 'one check under way, shared').to.equal(during[0]);
    const first = await during[0];
    expect(await verifyCsrPem(`${csrPem}`), 'the same result, not a second check').to.equal(first);
    expect(Object.isFrozen(first)).to.equal(true);
    const other = await verifyCsrPem((await createAgentKeyAndCsr()).csrPem);
    expect(other.publicKeySpkiSha256).to.not.equal(first.publicKeySpkiSha256);
  });

  it('refuses a CSR with a broken signature every time it comes, with the cause', async () => {
    const broken = withBrokenSignature((await createAgentKeyAndCsr()).csrPem);
    const first = verifyCsrPem(broken);
    await refusalOf(first);
    expect(verifyCsrPem(broken), 'a refusal is not remembered').to.not.equal(first);
    for (let attempt = 0; attempt < 2; attempt += 1) {
      const refusal = await refusalOf(verifyCsrPem(broken));
      expect(refusal).to.be.instanceOf(CsrError);
      expect((refusal as CsrError).cause).to.be.oneOf(['CSR_SIGNATURE_INVALID', 'INVALID_CSR']);
      expect((refusal as CsrError).status).to.equal(400);
    }
  });

  it('refuses what is not a PEM CSR, or too long to parse, before any parsing', async () => {
    for (const input of ['', 'not a csr', 'A'.repeat(20_000), 42 as unknown as string]) {
      const refusal = await refusalOf(verifyCsrPem(input));
      expect(refusal, String(input).slice(0, 20)).to.be.instanceOf(CsrError);
      expect((refusal as CsrError).cause).to.equal('INVALID_CSR');
    }
  });

  it('makes a check under way on this thread when its thread is stopped, and the next check starts a new thread', async () => {
    await stopCsrCheckThread(); // the next check starts a thread, which takes far longer than this test's next line
    const { csrPem } = await createAgentKeyAndCsr();
    const underWay = verifyCsrPem(csrPem);
    await stopCsrCheckThread();
    expect((await underWay).publicKeySpkiSha256).to.equal(checkCsrPem(csrPem).publicKeySpkiSha256);
    expect(csrCheckThreadRunning()).to.equal(false);
    await verifyCsrPem((await createAgentKeyAndCsr()).csrPem);
    expect(csrCheckThreadRunning(), 'a stop is no failure: the thread is used again').to.equal(true);
  });

  it('checks on the calling thread when told to, with the same results and refusals', async () => {
    useCsrCheckThread(false);
    try {
      await stopCsrCheckThread();
      const { csrPem } = await createAgentKeyAndCsr();
      const checked = await verifyCsrPem(csrPem);
      expect(csrCheckThreadRunning(), 'no thread started').to.equal(false);
      expect(checked.publicKeySpkiSha256).to.equal(checkCsrPem(csrPem).publicKeySpkiSha256);
      expect(Object.isFrozen(checked)).to.equal(true);
      const refusal = await refusalOf(verifyCsrPem(withBrokenSignature((await createAgentKeyAndCsr()).csrPem)));
      expect(refusal).to.be.instanceOf(CsrError);
    } finally {
      useCsrCheckThread(true);
    }
  });
});
