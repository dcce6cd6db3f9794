import { expect } from 'chai';
import fc from 'fast-check';
import { EventRing } from '../../nfs/agw/event-ring.ts';
import type { GatewayEvent } from '../../nfs/agw/types.ts';

const event = (i: number, over: Partial<GatewayEvent> = {}): GatewayEvent => ({
  eventId: `e${i}`, time: new Date(1_700_000_000_000 + i).toISOString(), type: 'discovery.structured', outcome: 'success', ...over,
});

const everything = { limit: Infinity };

describe('event ring', () => {
  it('keeps the newest maxEvents events, newest first', () => {
    const ring = new EventRing(5, 64 * 1024);
    for (let i = 0; i < 12; i += 1) expect(ring.add(event(i))).to.equal(true);
    expect(ring.size).to.equal(5);
    expect(ring.list(everything).map((kept) => kept.eventId)).to.deep.equal(['e11', 'e10', 'e9', 'e8', 'e7']);
    expect(ring.list({ limit: 2 }).map((kept) => kept.eventId)).to.deep.equal(['e11', 'e10']);
  });

  it('filters by type, AIC, correlation id and time, reading back the events as they were added', () => {
    const ring = new EventRing(100, 64 * 1024);
    ring.add(event(1, { type: 'agent.registration', aic: 'aic-a', detail: { reason: 'ünïcode ✓' } }));
    ring.add(event(2, { aic: 'aic-b', correlationId: 'c-1', capabilityId: '/capability/location' }));
    ring.add(event(3, { aic: 'aic-a', correlationId: 'c-1' }));
    expect(ring.list({ type: 'agent.registration', limit: 10 })).to.deep.equal([event(1, { type: 'agent.registration', aic: 'aic-a', detail: { reason: 'ünïcode ✓' } })]);
    expect(ring.list({ aic: 'aic-a', limit: 10 }).map((kept) => kept.eventId)).to.deep.equal(['e3', 'e1']);
    expect(ring.list({ correlationId: 'c-1', aic: 'aic-b', limit: 10 }).map((kept) => kept.eventId)).to.deep.equal(['e2']);
    expect(ring.list({ notBefore: Date.parse(event(2).time), limit: 10 }).map((kept) => kept.eventId)).to.deep.equal(['e3', 'e2']);
    expect(ring.list({ type: 'never.seen', limit: 10 })).to.deep.equal([]);
    expect(ring.list({ aic: 'aic-z', limit: 10 })).to.deep.equal([]);
  });

  it('tells types apart past the 254 it gives codes to', () => {
    const ring = new EventRing(400, 256 * 1024);
    for (let i = 0; i < 300; i += 1) ring.add(event(i, { type: `type-${i}` }));
    for (const i of [0, 253, 254, 299]) expect(ring.list({ type: `type-${i}`, limit: 10 }).map((kept) => kept.eventId), `type-${i}`).to.deep.equal([`e${i}`]);
  });

  it('refuses an event whose line alone would take a tenth of the buffer, keeping the others', () => {
    const ring = new EventRing(10, 2048);
    ring.add(event(1));
    expect(ring.add(event(2, { detail: { blob: 'x'.repeat(300) } }))).to.equal(false);
    expect(ring.list(everything).map((kept) => kept.eventId)).to.deep.equal(['e1']);
  });

  it('refuses sizes it cannot hold', () => {
    expect(() => new EventRing(0, 4096)).to.throw(RangeError);
    expect(() => new EventRing(10, 100)).to.throw(RangeError);
  });

  it('keeps, as bytes run out and the buffer wraps, the newest events whole and in order; queries and lines agree with them', () => {
    const types = ['discovery.structured', 'routing.decided', 'agent.registration'];
    const arbitraryEvent = fc.record({
      type: fc.constantFrom(...types),
      aic: fc.option(fc.constantFrom('aic-a', 'aic-b', 'aic-c'), { nil: undefined }),
      correlationId: fc.option(fc.constantFrom('c-1', 'c-2'), { nil: undefined }),
      // Any UTF-16 text, so lines take from 1 to 3 bytes per code unit (a lone surrogate is escaped).
      note: fc.string({ unit: 'binary', maxLength: 120 }),
    });
    fc.assert(
      fc.property(fc.array(arbitraryEvent, { minLength: 30, maxLength: 200, size: 'max' }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 2048, max: 8192 }), (drawn, maxEvents, bytes) => {
        const ring = new EventRing(maxEvents, bytes);
        const added: GatewayEvent[] = [];
        let longestLine = 0;
        let middle = 0;
        drawn.forEach(({ type, aic, correlationId, note }, i) => {
          const next = event(i, { type, aic, correlationId, detail: { note } });
          if (i === Math.floor(drawn.length / 2)) middle = ring.nextSequence;
          if (ring.add(next)) {
            added.push(JSON.parse(JSON.stringify(next)));
            longestLine = Math.max(longestLine, JSON.stringify(next).length + 1);
          }
        });
        const kept = ring.list(everything);
        const keptBytes = kept.reduce((sum, one) => sum + Buffer.byteLength(`${JSON.stringify(one)}\n`), 0);
        expect(kept.length).to.be.at.most(maxEvents);
        expect(keptBytes).to.be.at.most(bytes);
        // Dropped only for room: what is free is at most the room kept for the next line, the line
        // that overlapped it and the tail left when the writer wrapped, each at most 3 bytes a
        // code unit of the longest line.
        if (kept.length < Math.min(added.length, maxEvents)) expect(keptBytes + 9 * longestLine).to.be.at.least(bytes);
        // The newest events, none skipped, newest first.
        expect(kept).to.deep.equal(added.slice(added.length - kept.length).reverse());
        const text = Buffer.concat(ring.linesSince(0)).toString('utf8');
        expect(text).to.equal(kept.map((one) => `${JSON.stringify(one)}\n`).reverse().join(''));
        const sinceMiddle = kept.slice(0, Math.max(0, ring.nextSequence - Math.max(middle, ring.nextSequence - ring.size)));
        expect(Buffer.concat(ring.linesSince(middle)).toString('utf8')).to.equal(sinceMiddle.map((one) => `${JSON.stringify(one)}\n`).reverse().join(''));
        for (const query of [{ type: 'routing.decided' }, { aic: 'aic-b' }, { correlationId: 'c-2', type: 'agent.registration' }]) {
          const expected = kept.filter((one) => Object.entries(query).every(([field, value]) => one[field as keyof GatewayEvent] === value));
          expect(ring.list({ ...query, limit: Infinity }), JSON.stringify(query)).to.deep.equal(expected);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('gives the lines added since a sequence number, for the file that follows the ring', () => {
    const ring = new EventRing(100, 64 * 1024);
    ring.add(event(1));
    const from = ring.nextSequence;
    ring.add(event(2));
    ring.add(event(3));
    expect(Buffer.concat(ring.linesSince(from)).toString('utf8')).to.equal(`${JSON.stringify(event(2))}\n${JSON.stringify(event(3))}\n`);
    expect(ring.linesSince(ring.nextSequence)).to.deep.equal([]);
  });
});
