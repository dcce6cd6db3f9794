import { expect } from 'chai';
import fc from 'fast-check';
import { createRecentKeys } from '../../nfs/shared/recent-keys.ts';

describe('recent keys (admission of cached answers on a second request)', () => {
  it('answers true only for a key asked again within the window, then forgets it', () => {
    const keys = createRecentKeys(1000);
    expect(keys.askedAgain('a', 0)).to.equal(false);
    expect(keys.askedAgain('a', 999)).to.equal(true);
    expect(keys.askedAgain('a', 999), 'a repeat is acted on once').to.equal(false);
    expect(keys.askedAgain('a', 2000), 'asked 1,001 ms after the last time').to.equal(false);
  });

  it('does not count one key as another, whichever keys and times', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ maxLength: 40 }), { minLength: 2, maxLength: 50 }), fc.nat(500), (distinct, gap) => {
        const keys = createRecentKeys(1000, 1024);
        for (const key of distinct) expect(keys.askedAgain(key, 0), key).to.equal(false);
        // The key written last holds its slot whatever the others did; earlier ones may have been displaced.
        expect(keys.askedAgain(distinct[distinct.length - 1], gap)).to.equal(true);
        expect(keys.askedAgain(`${distinct.join('|')}-never-asked`, gap)).to.equal(false);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps a first request from each of 20,000 requesters in 65,536 slots, most of them told apart', () => {
    const keys = createRecentKeys(1000);
    const requesters = Array.from({ length: 20_000 }, (_, i) => `[["capability-id","/capability/qos-optimisation"],["requester-aic","1.2.156.3088.1.2.1.${i}.1.0XJD"]]`);
    for (const key of requesters) keys.askedAgain(key, 0);
    const recognised = requesters.filter((key) => keys.askedAgain(key, 10)).length;
    // Keys displace each other, here and in the second pass: a uniform hash recognises about
    // 14,700 (simulated with random slots); a poor one, far fewer.
    expect(recognised).to.be.greaterThan(14_000);
  });

  it('refuses a slot count that is not a power of two', () => {
    for (const slots of [1000, 0, 0.5, -4]) expect(() => createRecentKeys(1000, slots), String(slots)).to.throw(RangeError, /power of two/);
  });
});
