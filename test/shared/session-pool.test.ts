import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { SessionRefusedError } from '../../nfs/shared/a2a/session/session-authority.ts';
import type { OpenedSession } from '../../nfs/shared/a2a/session/session-client.ts';
import { createSessionPool } from '../../nfs/shared/a2a/session/session-pool.ts';
import { createLogger } from '../../nfs/shared/logger.ts';

const target = { aic: '1.2.156.3088.1.2.1.1.2.0O41', a2aUrl: 'http://127.0.0.1:9/a2a/billing-agent' };
const BILLING = '/capability/billing-plan';

describe('session pool: one session per (target, capability), reused, renewed, ended', () => {
  let clock: number;
  let opened: string[];
  let terminated: string[];
  /** The next opens fail with this, once each. */
  let openFailures: Error[];

  const fakeSession = (lifetimeMs = 300_000): OpenedSession => {
    const sessionId = randomUUID();
    opened.push(sessionId);
    return {
      sessionId,
      accept: { kind: 'SESSION_ACCEPT', sessionId, capabilityId: BILLING, scope: ['invoke'], expiresAt: new Date(clock + lifetimeMs).toISOString() },
      data: async () => ({ taskId: 't', capabilityId: BILLING, state: 'completed', summary: 'ok', data: {} }),
      update: async () => { throw new Error('not used'); },
      terminate: async () => { terminated.push(sessionId); },
    };
  };
  const pool = (options: { lifetimeMs?: number } = {}) => createSessionPool({
    logger: createLogger({ nf: 'TEST', level: 'silent' }),
    now: () => clock,
    backgroundSweep: false,
    idleMs: 60_000,
    renewBeforeMs: 15_000,
    open: async () => {
      const failure = openFailures.shift();
      if (failure) throw failure;
      return fakeSession(options.lifetimeMs);
    },
  });
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  beforeEach(() => {
    clock = Date.parse('2026-11-23T12:00:00Z');
    opened = [];
    terminated = [];
    openFailures = [];
  });

  it('opens one session for concurrent work to the same target and capability, and reuses it', async () => {
    const sessions = pool();
    const ids = await Promise.all([1, 2, 3].map(() => sessions.use(target, BILLING, async (session) => session.sessionId)));
    const later = await sessions.use(target, BILLING, async (session) => session.sessionId);
    expect(opened).to.have.length(1);
    expect(new Set([...ids.map((id) => id.sessionId), later.sessionId])).to.deep.equal(new Set(opened));
    await sessions.use(target, '/capability/location', async () => undefined);
    expect(opened).to.have.length(2);
  });

  it('replaces a pooled session the target no longer knows once, and runs the work in the new one', async () => {
    const sessions = pool();
    const first = (await sessions.use(target, BILLING, async (session) => session.sessionId)).value;
    const tried: string[] = [];
    const again = await sessions.use(target, BILLING, async (session) => {
      tried.push(session.sessionId);
      if (session.sessionId === first) throw new SessionRefusedError('SESSION_EXPIRED', 'expired');
      return 'done';
    });
    expect(again.value).to.equal('done');
    expect(tried).to.deep.equal([first, opened[1]]);
    expect(again.sessionId).to.equal(opened[1]);
  });

  it('does not reopen a fresh session that is refused, nor retry other failures, and drops the failing session', async () => {
    const sessions = pool();
    let calls = 0;
    const refused = await sessions.use(target, BILLING, async () => {
      calls += 1;
      throw new SessionRefusedError('UNKNOWN_SESSION', 'gone at once');
    }).catch((error: Error) => error);
    expect(refused).to.be.instanceOf(SessionRefusedError);
    expect(calls).to.equal(1);
    const failed = await sessions.use(target, BILLING, async () => { throw new Error('socket hang up'); }).catch((error: Error) => error.message);
    expect(failed).to.equal('socket hang up');
    await settle();
    expect(terminated).to.deep.equal([opened[1]]);
    expect(sessions.size()).to.equal(0);
  });

  it('keeps no refused opening: the next work asks again', async () => {
    const sessions = pool();
    openFailures.push(new SessionRefusedError('POLICY_DENIED', 'the SMF refused (403)'));
    const refused = await sessions.use(target, BILLING, async () => 'never').catch((error: Error) => error);
    expect(refused).to.be.instanceOf(SessionRefusedError);
    await settle();
    expect(sessions.size()).to.equal(0);
    expect((await sessions.use(target, BILLING, async () => 'ran')).value).to.equal('ran');
  });

  it('opens a new session shortly before the artifact expires and terminates the old one', async () => {
    const sessions = pool({ lifetimeMs: 60_000 });
    await sessions.use(target, BILLING, async () => undefined);
    clock += 44_000;
    await sessions.use(target, BILLING, async () => undefined);
    expect(opened).to.have.length(1);
    clock += 2_000;
    const renewed = await sessions.use(target, BILLING, async (session) => session.sessionId);
    await settle();
    expect(opened).to.have.length(2);
    expect(renewed.sessionId).to.equal(opened[1]);
    expect(terminated).to.deep.equal([opened[0]]);
  });

  it('terminates sessions idle for idleMs on a sweep, and every session on stop', async () => {
    const sessions = pool();
    await sessions.use(target, BILLING, async () => undefined);
    await sessions.use(target, '/capability/location', async () => undefined);
    clock += 30_000;
    await sessions.use(target, BILLING, async () => undefined);
    clock += 31_000;
    expect(await sessions.sweep()).to.equal(1);
    await settle();
    expect(terminated).to.deep.equal([opened[1]]);
    await sessions.stop();
    expect(terminated).to.deep.equal([opened[1], opened[0]]);
    expect(sessions.size()).to.equal(0);
  });

  it('terminates a session that leaves the pool only when the work still running in it ends', async () => {
    const sessions = pool();
    let finishLong!: () => void;
    const long = sessions.use(target, BILLING, (session) => new Promise<string>((resolve) => (finishLong = () => resolve(session.sessionId))));
    await settle();
    const failing = sessions.use(target, BILLING, async () => { throw new Error('the task failed'); });
    await failing.then(() => expect.fail('should fail'), () => undefined);
    clock += 120_000;
    await sessions.sweep();
    await settle();
    expect(terminated, 'not while the long task runs in it').to.deep.equal([]);
    finishLong();
    expect((await long).sessionId).to.equal(opened[0]);
    await settle();
    expect(terminated).to.deep.equal([opened[0]]);
  });

  it('keeps a short-lived session for three quarters of its life instead of renewing it at every use', async () => {
    const sessions = pool({ lifetimeMs: 10_000 });
    await sessions.use(target, BILLING, async () => undefined);
    clock += 7_000;
    await sessions.use(target, BILLING, async () => undefined);
    expect(opened, 'reused at 7 of 10 s').to.have.length(1);
    clock += 1_000;
    await sessions.use(target, BILLING, async () => undefined);
    expect(opened, 'renewed past 7.5 of 10 s').to.have.length(2);
  });

  it('reopens once a pooled session whose certificate was revoked by a renewal, and opens nothing once stopped', async () => {
    const sessions = pool();
    await sessions.use(target, BILLING, async () => undefined);
    let calls = 0;
    const answer = await sessions.use(target, BILLING, async (session) => {
      calls += 1;
      if (calls === 1) throw new SessionRefusedError('CERTIFICATE_REVOKED', 'the certificate was revoked');
      return session.sessionId;
    });
    expect(opened).to.have.length(2);
    expect(answer.value).to.equal(opened[1]);
    await sessions.stop();
    await sessions.use(target, BILLING, async () => undefined).then(() => expect.fail('a stopped pool opens nothing'), (error: Error) => expect(error.message).to.match(/stopped/));
    expect(opened).to.have.length(2);
  });
});
