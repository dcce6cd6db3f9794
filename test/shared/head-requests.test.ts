/**
 * HEAD on every path that has GET (RFC 9110 section 9.1: general-purpose servers support GET and
 * HEAD; section 9.3.2: the same header fields as GET, no content), though the APIs document GET only.
 */
import { expect } from 'chai';
import type { Request, Response } from 'express';
import { notFoundHandler } from '../../nfs/shared/error-handler.ts';
import { startTestCore, type TestCore } from '../support/core-harness.ts';

describe('HEAD wherever GET is documented', function () {
  this.timeout(20_000);
  let core: TestCore;
  before(async () => {
    core = await startTestCore();
  });
  after(async () => core?.close());

  it('answers HEAD with the status and headers of GET and no content: DER CRL, PEM CA, JSON lists, NRF profiles', async () => {
    const urls = [
      `${core.amcUrl}/namc-cred/v1/crl`,
      `${core.amcUrl}/namc-cred/v1/ca`,
      `${core.agwUrl}/nagw-tax/v1/capabilities`,
      `${core.nrfUrl}/nnrf-nfm/v1/nf-instances`,
    ];
    for (const url of urls) {
      const get = await fetch(url);
      const getBody = await get.arrayBuffer();
      const head = await fetch(url, { method: 'HEAD' });
      const headBody = await head.arrayBuffer();
      expect([head.status, head.headers.get('content-type'), head.headers.get('content-length')], url).to.deep.equal([get.status, get.headers.get('content-type'), String(getBody.byteLength)]);
      expect(get.status, url).to.equal(200);
      expect(headBody.byteLength, url).to.equal(0);
    }
  });

  it('still refuses a method a path does not have, naming HEAD among the allowed', async () => {
    const res = await fetch(`${core.amcUrl}/namc-cred/v1/crl`, { method: 'DELETE' });
    expect(res.status).to.equal(405);
    expect(res.headers.get('allow')?.split(', ').sort()).to.deep.equal(['GET', 'HEAD']);
  });

  it('records a HEAD a path does not have as a HEAD (the refusal event of the gateway)', async () => {
    const since = new Date().toISOString();
    const head = await fetch(`${core.agwUrl}/nagw-disc/v1/resolutions`, { method: 'HEAD' });
    expect([head.status, head.headers.get('allow')]).to.deep.equal([405, 'POST']);
    const events = await (await fetch(`${core.agwUrl}/nagw-evts/v1/events?type=request.refused&since=${encodeURIComponent(since)}`)).json();
    const refusal = events.find((event: { detail: { path: string } }) => event.detail.path === '/nagw-disc/v1/resolutions');
    expect(refusal?.detail, JSON.stringify(events)).to.include({ method: 'HEAD', reason: 'HEAD is not allowed on /nagw-disc/v1/resolutions; allowed: POST' });
  });

  it('names a HEAD on no resource as a HEAD (the 404 detail, which only logs show: a HEAD answer has no content)', () => {
    let refusal: Error | undefined;
    const request = { method: 'GET', path: '/nagw-disc/v1/nowhere' } as Request;
    notFoundHandler()(request, { locals: { askedMethod: 'HEAD' } } as unknown as Response, (error?: unknown) => (refusal = error as Error));
    expect(refusal?.message).to.equal('no resource at HEAD /nagw-disc/v1/nowhere');
  });
});
