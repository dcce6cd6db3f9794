/**
 * A core agent asks the UE's own agent for a device measurement over a semantic session (issue 5:
 * "a core agent opens a session to a UE's agent, for example to ask the device for a
 * measurement"; DMSC architecture draft, mobile deployment). The UE's agent is found at the AGW by
 * capability and by its UE's SUPI (found only while the UE is CM-CONNECTED); the SMF authorizes the
 * session (scope query); then SESSION_INIT, one SESSION_DATA, SESSION_TERMINATE on the official
 * SDK client (nfs/shared/a2a/session/session-client.ts).
 *
 * Never a failure for the caller: no agent, an idle UE, a refusal or no answer within the time
 * limit each become a reason the diagnosis states, and the diagnosis goes on without the device.
 * What the device answers is checked before it is used: only known fields within the ranges
 * TS 38.133 reports them in are taken.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { components as disc } from '../../openapi/generated/nagw-disc.ts';
import { openSession, SessionRefusedError, smfSessionAuthority, type OpenedSession } from '../shared/a2a/session/session-client.ts';
import type { AgentIdentity } from '../shared/agent-auth.ts';
import type { Logger } from '../shared/logger.ts';
import type { SbiClient } from '../shared/sbi-client.ts';

type DiscoveryAnswer = disc['schemas']['DiscoveryAnswer'];

export const UE_MEASUREMENT = '/capability/ue-measurement';

export interface DeviceReading {
  servingCellId: string;
  rsrpDbm: number;
  rsrqDb: number;
  sinrDb: number;
  downlinkMbps?: number;
  latencyMs?: number;
  measuredAt?: string;
}

export type DeviceMeasurement =
  | { measured: true; ueAic: string; sessionId: string; reading: DeviceReading }
  | { measured: false; reason: string };

/** Asks the device of one SUPI; never rejects. */
export type DeviceProbe = (supi: string) => Promise<DeviceMeasurement>;

export interface DeviceProbeDeps {
  sbi: SbiClient;
  /** The asking agent's identity (AIC, certificate, key), once it registered. */
  initiator: () => AgentIdentity | undefined;
  logger: Logger;
  /** The whole exchange's limit, so an intent stays fast (default 1000 ms). */
  timeoutMs?: number;
}

const inRange = (value: unknown, min: number, max: number): value is number => typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max;

/** The device's TaskResult data as a reading, or undefined when it is not one (TS 38.133 clauses 10.1.6, 10.1.11, 10.1.16 ranges). */
export function readingOf(data: unknown): DeviceReading | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const d = data as Record<string, unknown>;
  if (typeof d.servingCellId !== 'string' || !/^[A-Za-z0-9-]{1,40}$/.test(d.servingCellId)) return undefined;
  if (!inRange(d.rsrpDbm, -156, -31) || !inRange(d.rsrqDb, -43, 20) || !inRange(d.sinrDb, -23, 40)) return undefined;
  return {
    servingCellId: d.servingCellId, rsrpDbm: d.rsrpDbm, rsrqDb: d.rsrqDb, sinrDb: d.sinrDb,
    ...(inRange(d.downlinkMbps, 0, 100_000) ? { downlinkMbps: d.downlinkMbps } : {}),
    ...(inRange(d.latencyMs, 0, 60_000) ? { latencyMs: d.latencyMs } : {}),
    ...(typeof d.measuredAt === 'string' && d.measuredAt.length <= 40 && !Number.isNaN(Date.parse(d.measuredAt)) ? { measuredAt: d.measuredAt } : {}),
  };
}

/**
 * Who the task being served is for. The device is asked only for the network's own agents (the
 * kinds that may task capability agents); any other requester, a third party's agent or another
 * UE's agent in a session, gets the diagnosis without it, so it cannot make a subscriber's phone
 * measure through the diagnosis agent.
 */
export const deviceRequester = new AsyncLocalStorage<{ mayAskDevice: boolean }>();

export function createDeviceProbe(deps: DeviceProbeDeps): DeviceProbe {
  const timeoutMs = deps.timeoutMs ?? 1000;

  async function ueAgentOf(supi: string, requesterAic: string): Promise<{ aic: string; a2aUrl: string } | undefined> {
    const query = new URLSearchParams({ 'capability-id': UE_MEASUREMENT, supi, 'requester-aic': requesterAic, limit: '1' });
    const res = await deps.sbi.call<DiscoveryAnswer>({ targetNfType: 'AGW', serviceName: 'nagw-disc', method: 'GET', path: `/agents?${query.toString().replace(/%2F/g, '/')}` });
    if (res.status !== 200) throw new Error(`the AGW answered ${res.status} to the discovery of the UE's agent`);
    // The gateway filtered by SUPI; the ACS must say so too, or the answer is not used.
    return res.data.agents.find((agent) => agent.acs.kind === 'ue-agent' && agent.acs.onBehalfOf?.supi === supi && agent.capabilities.includes(UE_MEASUREMENT));
  }

  async function measure(supi: string): Promise<DeviceMeasurement> {
    const identity = deps.initiator();
    if (!identity) return { measured: false, reason: 'this agent holds no credential yet to open a session with' };
    const target = await ueAgentOf(supi, identity.aic);
    if (!target) return { measured: false, reason: 'the device has no agent the network can reach now (none registered, or the phone is idle)' };
    const authority = smfSessionAuthority(await deps.sbi.serviceUri('SMF', 'nsmf-agentsession'));
    let session: OpenedSession | undefined;
    try {
      // Every step is bounded, so a silent device holds no socket or session past the time limit.
      const signal = AbortSignal.timeout(timeoutMs);
      session = await openSession({ authority, a2aUrl: target.a2aUrl, targetAic: target.aic, identity, capabilityId: UE_MEASUREMENT, scope: ['query'], qos: { priority: 5, latencyBudgetMs: timeoutMs }, signal });
      const result = await session.data({ supi, parameters: { metrics: ['signal', 'throughput', 'latency'] } }, { signal });
      const reading = result.state === 'completed' ? readingOf(result.data) : undefined;
      if (!reading) return { measured: false, reason: `the device answered no usable measurement (${result.state})` };
      return { measured: true, ueAic: target.aic, sessionId: session.sessionId, reading };
    } finally {
      // The UE agent reports the release to the SMF; should this fail, the SMF expires the session.
      await session?.terminate({ signal: AbortSignal.timeout(2_000) }).catch((error: Error) => deps.logger.warn('SESSION_TERMINATE to a UE agent failed', { ueAic: target.aic, error: error.message }));
    }
  }

  return async (supi) => {
    if (!deviceRequester.getStore()?.mayAskDevice) return { measured: false, reason: 'the device is asked only for the network\'s own agents' };
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<DeviceMeasurement>((resolve) => {
      timer = setTimeout(() => resolve({ measured: false, reason: `the device did not answer within ${timeoutMs} ms` }), timeoutMs);
    });
    const work = measure(supi).catch((error: Error): DeviceMeasurement => {
      deps.logger.info('no device measurement', { supi, error: error.message });
      if (error instanceof SessionRefusedError) return { measured: false, reason: `the session with the device was refused (${String(error.cause).slice(0, 60)})` };
      return { measured: false, reason: `the device could not be asked: ${error.message}`.slice(0, 200) };
    });
    try {
      return await Promise.race([work, late]);
    } finally {
      clearTimeout(timer);
    }
  };
}
