/** Sending generated malformed requests and checking each is refused as a 4xx problem+json. */
import { expect } from 'chai';

export interface BadRequest {
  label: string;
  method: string;
  path: string;
  contentType?: string; // none: the body goes as bytes, so fetch adds no content-type either
  body?: string;
  padding?: number;
  suffix?: string;
  allow?: boolean; // an unsupported method: 405 with an Allow header
}

export interface RefusalProbe {
  /** Sends one request and checks the refusal. */
  refused(req: BadRequest): Promise<void>;
  sent(): number;
}

export function refusalProbe(baseUrl: () => string): RefusalProbe {
  let sent = 0;
  return {
    sent: () => sent,
    async refused(req) {
      const text = req.body === undefined ? undefined : req.body + 'x'.repeat(req.padding ?? 0) + (req.suffix ?? '');
      sent += 1;
      const res = await fetch(`${baseUrl()}${req.path}`, {
        method: req.method,
        headers: req.contentType ? { 'content-type': req.contentType } : {},
        body: text === undefined ? undefined : req.contentType ? text : Buffer.from(text),
      });
      const contentType = res.headers.get('content-type') ?? '';
      const body = await res.text();
      const where = `${req.label}: ${req.method} ${req.path.slice(0, 160)} ${req.body?.slice(0, 200) ?? ''} -> ${res.status} ${contentType} ${body.slice(0, 300)}`;
      expect(res.status, where).to.be.within(400, 499);
      if (req.allow) {
        expect(res.status, where).to.equal(405);
        expect(res.headers.get('allow'), where).to.be.a('string').that.is.not.empty;
      }
      expect(contentType, where).to.match(/^application\/problem\+json\b/);
      const problem = JSON.parse(body);
      expect(problem.status, where).to.equal(res.status);
      expect(problem.detail, where).to.be.a('string').that.is.not.empty;
    },
  };
}
