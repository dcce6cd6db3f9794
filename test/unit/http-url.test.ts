import { expect } from 'chai';
import { requireHttpUrl } from '../../nfs/shared/http-url.ts';
import { ProblemError } from '../../nfs/shared/problem.ts';

describe('requireHttpUrl: a URL the emulator will call and may publish', () => {
  it('takes http(s) URLs with a host, an at sign past the authority included', () => {
    for (const url of ['http://127.0.0.1:9/a2a', 'https://agent.example/a2a?x=1', 'http://[::1]:8080/', 'http://agent.example/path/@me']) {
      expect(() => requireHttpUrl(url, '/endpoints/a2aUrl'), url).to.not.throw();
    }
  });

  const refusal = (url: string) => {
    try {
      requireHttpUrl(url, '/endpoints/a2aUrl');
    } catch (error) {
      return error as ProblemError;
    }
    return undefined;
  };

  for (const url of ['http://', 'http://[::1', 'ftp://agent.example/', 'not a url']) {
    it(`refuses ${url}: no http(s) URL with a host`, () => {
      expect(refusal(url)?.status).to.equal(400);
      expect(refusal(url)?.invalidParams?.[0]).to.deep.equal({ param: '/endpoints/a2aUrl', reason: 'an http(s) URL with a host is required' });
    });
  }

  for (const url of ['http://user:secret@agent.example/a2a', 'http://user@agent.example/', 'https://:secret@agent.example/', 'http://@agent.example/']) {
    it(`refuses ${url}: userinfo (RFC 9110 section 4.2.4)`, () => {
      expect(refusal(url)?.status).to.equal(400);
      expect(refusal(url)?.invalidParams?.[0]).to.deep.equal({ param: '/endpoints/a2aUrl', reason: 'userinfo is not allowed' });
    });
  }
});
