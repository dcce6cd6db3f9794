import { expect } from 'chai';
import { bearerTokenOf } from '../../nfs/shared/bearer-token.ts';

describe('bearerTokenOf (RFC 6750 section 2.1)', () => {
  it('takes the scheme in any case (RFC 9110 section 11.1), and spaces around the token', () => {
    for (const header of ['Bearer a.b.c', 'bearer a.b.c', 'BEARER  a.b.c', 'Bearer a.b.c ']) expect(bearerTokenOf(header), header).to.equal('a.b.c');
  });

  it('answers undefined for no header, another scheme, or no token', () => {
    for (const header of [undefined, '', 'Basic dXNlcjpwYXNz', 'Bearer', 'Bearer ', 'Bearera.b.c', 'Bearer a b']) expect(bearerTokenOf(header), String(header)).to.equal(undefined);
  });
});
