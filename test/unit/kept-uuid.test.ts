import { expect } from 'chai';
import { keptUuid } from '../../nfs/shared/kept-uuid.ts';

describe('kept UUIDs', () => {
  it('are random version 4 UUIDs (RFC 9562 section 5.4), each one new', () => {
    const ids = Array.from({ length: 2000 }, () => keptUuid());
    for (const id of ids) expect(id).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(ids).size).to.equal(ids.length);
  });
});
