/**
 * The initiator's established semantic sessions, kept for reuse (MACP "Agent-to-Agent Process":
 * one session serves the exchanges between two agents for one capability while its authorization
 * lasts). Opening one costs the SMF's create (AGW checks, artifact signing) and SESSION_INIT's
 * certificate and artifact checks at the target; reusing it costs one SESSION_DATA. A session is
 * used until shortly before its artifact expires, terminated when idle for a while and when the
 * pool stops; one the target no longer knows (expired, terminated, forgotten) is reopened once.
 */
import type { Logger } from '../../logger.ts';
import { SessionRefusedError } from './session-authority.ts';
import type { OpenedSession } from './session-client.ts';

export interface PoolTarget {
  aic: string;
  a2aUrl: string;
}

export interface SessionPoolOptions {
  open(target: PoolTarget, capabilityId: string): Promise<OpenedSession>;
  logger: Logger;
  /** A session is not used for new work this close to its expiry (its artifact's exp). */
  renewBeforeMs?: number;
  /** A session unused this long is terminated. */
  idleMs?: number;
  now?: () => number;
  /** Whether an idle sweep runs by itself (tests sweep by hand). */
  backgroundSweep?: boolean;
  /** How long a SESSION_TERMINATE may take: a target that does not answer must not hold up a stopping NF. */
  terminateTimeoutMs?: number;
}

/**
 * Refusals after which the pooled session cannot go on: the target holds no such session, or the
 * certificate it was opened with was revoked (a renewal revokes the old one): open a new one.
 */
const goneCauses = new Set(['SESSION_EXPIRED', 'SESSION_TERMINATED', 'UNKNOWN_SESSION', 'CERTIFICATE_REVOKED']);

interface Entry {
  session: Promise<OpenedSession>;
  /** Expiry of the session's authorization, ms; until it is open, +Infinity. */
  expiresAtMs: number;
  /** How long before expiry it takes no new work: renewBeforeMs, at most a quarter of its lifetime. */
  renewBeforeMs: number;
  lastUsedMs: number;
  /** Work running in it now: a session leaving the pool is terminated only once the last one ends. */
  users: number;
  retiring?: string;
}

export function createSessionPool(options: SessionPoolOptions) {
  const now = options.now ?? Date.now;
  const renewBeforeMs = options.renewBeforeMs ?? 15_000;
  const idleMs = options.idleMs ?? 60_000;
  const terminateTimeoutMs = options.terminateTimeoutMs ?? 2000;
  const entries = new Map<string, Entry>();
  let stopped = false;
  const terminate = (session: OpenedSession) => session.terminate({ signal: AbortSignal.timeout(terminateTimeoutMs) });
  const keyOf = (target: PoolTarget, capabilityId: string) => `${target.aic.toLowerCase()} ${capabilityId}`;

  /**
   * Ends a session that leaves the pool once no work runs in it; a failed terminate only means the
   * target or the SMF ends it on expiry.
   */
  function retire(entry: Entry, why: string): void {
    if (entry.retiring !== undefined) return;
    entry.retiring = why;
    if (entry.users === 0) terminateRetired(entry);
  }
  function terminateRetired(entry: Entry): void {
    entry.session.then(terminate).catch((error: Error) => {
      options.logger.debug('a pooled session could not be terminated', { why: entry.retiring, error: error.message });
    });
  }

  function drop(key: string, entry: Entry, why: string): void {
    if (entries.get(key) !== entry) return;
    entries.delete(key);
    retire(entry, why);
  }

  /** The pooled session for (target, capability), or a new one; concurrent callers share one opening. */
  function acquire(target: PoolTarget, capabilityId: string): { entry: Entry; fresh: boolean } {
    const key = keyOf(target, capabilityId);
    const known = entries.get(key);
    if (known && known.expiresAtMs - now() > known.renewBeforeMs) return { entry: known, fresh: false };
    if (known) drop(key, known, 'near its expiry');
    if (stopped) throw new Error('the session pool is stopped');
    const openedAtMs = now();
    const entry: Entry = { session: options.open(target, capabilityId), expiresAtMs: Number.POSITIVE_INFINITY, renewBeforeMs, lastUsedMs: openedAtMs, users: 0 };
    entries.set(key, entry);
    entry.session.then(
      (session) => {
        entry.expiresAtMs = Date.parse(session.accept.expiresAt) || now();
        // A short-lived authorization (sessionLifetimeSeconds) still serves three quarters of its life.
        entry.renewBeforeMs = Math.min(renewBeforeMs, Math.max(0, (entry.expiresAtMs - openedAtMs) / 4));
      },
      () => {
        // A refused or failed opening is not kept: the next task asks afresh.
        if (entries.get(key) === entry) entries.delete(key);
      },
    );
    return { entry, fresh: true };
  }

  async function sweep(): Promise<number> {
    let ended = 0;
    for (const [key, entry] of entries) {
      if ((entry.users === 0 && now() - entry.lastUsedMs >= idleMs) || entry.expiresAtMs <= now()) {
        drop(key, entry, 'idle');
        ended += 1;
      }
    }
    return ended;
  }

  async function releaseAll(): Promise<void> {
    const all = [...entries.values()];
    entries.clear();
    await Promise.allSettled(all.map(async (entry) => terminate(await entry.session)));
  }

  const timer = options.backgroundSweep === false ? undefined : setInterval(() => void sweep(), Math.max(1000, idleMs / 2));
  timer?.unref();

  return {
    /**
     * Runs `work` in the session for (target, capability): a pooled one, or one opened now. A
     * pooled session the target no longer knows is replaced once; any other failure drops the
     * session and reaches the caller (its retry and fail-over decide what next).
     */
    async use<T>(target: PoolTarget, capabilityId: string, work: (session: OpenedSession) => Promise<T>): Promise<{ value: T; sessionId: string }> {
      const key = keyOf(target, capabilityId);
      for (let attempt = 0; ; attempt += 1) {
        const { entry, fresh } = acquire(target, capabilityId);
        entry.users += 1;
        try {
          const session = await entry.session;
          entry.lastUsedMs = now();
          return { value: await work(session), sessionId: session.sessionId };
        } catch (error) {
          if (entries.get(key) === entry) entries.delete(key);
          const gone = error instanceof SessionRefusedError && goneCauses.has(error.cause);
          if (!gone) retire(entry, (error as Error).message);
          if (gone && !fresh && attempt === 0) continue;
          throw error;
        } finally {
          entry.users -= 1;
          entry.lastUsedMs = now();
          if (entry.users === 0 && entry.retiring !== undefined) terminateRetired(entry);
        }
      }
    },
    sweep,
    /** Live pooled sessions (tests, operators). */
    size: () => entries.size,
    /** Terminates every pooled session now; later work opens new ones. */
    releaseAll,
    /** Stops the idle sweep and terminates every pooled session (the NF stops). */
    async stop(): Promise<void> {
      stopped = true;
      clearInterval(timer);
      await releaseAll();
    },
  };
}

export type SessionPool = ReturnType<typeof createSessionPool>;
