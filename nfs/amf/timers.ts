/**
 * The AMF's timers, kept in the store so that they survive a restart and any replica can run
 * them: the inactivity timer that releases a quiet UE to CM-IDLE (the AN release of TS 23.502
 * clause 4.2.6, which the RAN would ask for), and whatever the AGW is owed for a UE's agent
 * (ue-agent.ts).
 *
 * Each UE context with something due has one timer document holding the earliest time the AMF
 * must look at it. The inactivity timer is lazy: a NAS message moves the context's
 * lastActivityAt, not its timer, so the hot path writes no timer; a timer that fires early finds
 * the UE still active and is set again. A procedure that makes something due sooner sets the
 * timer sooner (rescheduleIfSooner).
 */
import type { Logger } from '../shared/logger.ts';
import type { AmfSettings } from './settings.ts';
import type { AmfStore, TimerDocument, UeContextDocument } from './store.ts';
import type { UeAgents } from './ue-agent.ts';

const batchSize = 500;
const maxBatchesPerPass = 40;

export function createTimers(deps: { store: AmfStore; ueAgents: UeAgents; settings: AmfSettings; logger: Logger; now: () => number }) {
  const { store, ueAgents, logger, now } = deps;
  const inactivityMs = deps.settings.ueInactivityTimerSeconds * 1000;
  let interval: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;

  /** The earliest time anything is due for the context, or undefined when nothing is. */
  function nextAttention(context: UeContextDocument): number | undefined {
    const due: number[] = [];
    if (context.rmState === 'RM-REGISTERED' && context.cmState === 'CM-CONNECTED') due.push(context.lastActivityAt + inactivityMs);
    if (context.ueAgent && context.agentDueAt !== undefined) due.push(context.agentDueAt);
    return due.length ? Math.min(...due) : undefined;
  }

  /** Sets the context's timer to its next attention, or removes it when nothing is due. */
  async function schedule(context: UeContextDocument): Promise<void> {
    const at = nextAttention(context);
    if (at === undefined) await store.timers.deleteMany({ _id: context._id });
    else await store.timers.replaceOne({ _id: context._id }, { _id: context._id, at }, { upsert: true });
  }

  const findContext = (supi: string) => store.ueContexts.findOne({ _id: supi });

  /** Does what is due for one context, then sets its timer again (unless a procedure did meanwhile). */
  async function fire(timer: TimerDocument): Promise<void> {
    let context = await findContext(timer._id);
    if (context && context.rmState === 'RM-REGISTERED' && context.cmState === 'CM-CONNECTED' && context.lastActivityAt + inactivityMs <= now()) {
      // Only if no NAS message came since it was read.
      const released = await store.ueContexts.findOneAndUpdate(
        { _id: context._id, guti: context.guti, cmState: 'CM-CONNECTED', lastActivityAt: context.lastActivityAt },
        { $set: { cmState: 'CM-IDLE', ...(context.ueAgent ? { agentDueAt: now() } : {}) } },
      );
      context = released ?? (await findContext(timer._id));
    }
    if (context?.ueAgent && context.agentDueAt !== undefined && context.agentDueAt <= now()) {
      context = (await ueAgents.upkeep(context)) ?? (await findContext(timer._id));
    }
    const next = context ? nextAttention(context) : undefined;
    // deleteMany by _id: a filter the embedded engine answers from the _id index (see findOneAndDelete's).
    if (next === undefined) await store.timers.deleteMany({ _id: timer._id, at: timer.at });
    else await store.timers.findOneAndUpdate({ _id: timer._id, at: timer.at }, { $set: { at: next } });
  }

  /** One pass over the timers that are due; a pass still running is joined, never overlapped. */
  function runTimers(): Promise<void> {
    running ??= (async () => {
      try {
        // Batch after batch, so a burst of expiries does not fall behind by a batch a tick; bounded, so a pass ends.
        for (let batch = 0; batch < maxBatchesPerPass; batch += 1) {
          // Unsorted: the engine stops at the batch size instead of sorting every due timer first.
          const due = await store.timers.find({ at: { $lte: now() } }, { limit: batchSize });
          for (const timer of due) await fire(timer);
          if (due.length < batchSize) break;
        }
      } catch (error) {
        logger.error('AMF timers failed', { error: (error as Error).message });
      } finally {
        running = undefined;
      }
    })();
    return running;
  }

  return {
    nextAttention,
    schedule,
    /** After a procedure changed a context: moves its timer only when something is now due sooner. */
    async rescheduleIfSooner(previous: UeContextDocument | null, updated: UeContextDocument): Promise<void> {
      const next = nextAttention(updated);
      const before = previous ? nextAttention(previous) : undefined;
      if (next !== undefined && (before === undefined || next < before)) await schedule(updated);
    },
    runTimers,
    start() {
      interval ??= setInterval(() => void runTimers(), deps.settings.timerIntervalMs);
      interval.unref();
    },
    async stop() {
      clearInterval(interval);
      interval = undefined;
      await running;
    },
  };
}

export type Timers = ReturnType<typeof createTimers>;
