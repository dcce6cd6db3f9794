/**
 * Home-broadband lines and engineer visits (seed 004, use case 2). A line's fault comes from its
 * SUPI until someone changes it: the fault handler repairs what can be fixed remotely; what
 * cannot waits for an engineer, and the line counts as repaired once the booked visit is over.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateKeyError, type Store } from '../shared/store/collection.ts';
import {
  broadbandFaultCodes, broadbandFaults, engineers, visitWindows,
  type BroadbandFaultCode, type BroadbandFault, type Urgency,
} from './network-catalogue.ts';
import { distanceKm, hashUnit, localDay, localTime, round1, type NetworkStateSettings } from '../shared/network-model.ts';

export interface BroadbandLine {
  supi: string;
  lineId: string;
  technology: 'FTTH';
  planDownMbps: number;
  lineStatus: 'UP' | 'DOWN' | 'DEGRADED';
  opticalRxPowerDbm: number | null;
  pppoeSession: 'UP' | 'AUTH_FAILED' | 'DOWN';
  router: { model: string; status: 'ONLINE' | 'DEGRADED'; wanStatus: 'UP' | 'DOWN'; wifiChannel: number; wifiUtilisationPercent: number; connectedDevices: number };
  /** Throughput at the router's WAN port, and over Wi-Fi, Mbps. */
  wiredThroughputMbps: number;
  wifiThroughputMbps: number;
  alarms: Array<BroadbandFault['alarm']>;
  fault: BroadbandFaultCode | null;
  lastRepair: { fault: BroadbandFaultCode; action: string; by: 'remote' | 'engineer'; at: string } | null;
  homeLocation: { lat: number; lon: number };
}

export interface EngineerVisit {
  visitId: string;
  supi: string;
  fault: BroadbandFaultCode | null;
  skill: string;
  urgency: Urgency;
  engineerId: string;
  engineerName: string;
  windowStart: string;
  windowEnd: string;
  /** "Tue 14 May 08:00-12:00", local time. */
  window: string;
  distanceKm: number;
  status: 'BOOKED' | 'DONE';
}

export interface BroadbandNetwork {
  getBroadbandLine(supi: string): Promise<BroadbandLine>;
  /** Puts a fault on a line, or clears it (scenarios, tests). */
  setBroadbandFault(supi: string, fault: BroadbandFaultCode | null): Promise<void>;
  /** Applies the remote remedy; repaired is false when the line does not have that fault or it needs a visit. */
  repairBroadbandFault(supi: string, fault: BroadbandFaultCode): Promise<{ repaired: boolean; line: BroadbandLine }>;
  /** Books the nearest free engineer with the skill; an open visit of the SUPI is returned instead of a second one. */
  bookEngineerVisit(supi: string, need: { fault: BroadbandFaultCode | null; skill: string; urgency: Urgency }): Promise<{ visit: EngineerVisit; alreadyBooked: boolean }>;
  /** The SUPI's open visit, else its latest one, else null. */
  findEngineerVisit(supi: string): Promise<EngineerVisit | null>;
}

interface LineDocument {
  _id: string;
  fault: BroadbandFaultCode | null;
  wifiChannel?: number;
  lastRepair?: { fault: BroadbandFaultCode; action: string; by: 'remote' | 'engineer'; atMs: number };
}

interface VisitDocument {
  _id: string;
  supi: string;
  fault: BroadbandFaultCode | null;
  skill: string;
  urgency: Urgency;
  engineerId: string;
  engineerName: string;
  /** engineerId and window start: unique, so two bookings cannot take one engineer's window. */
  slotKey: string;
  windowStartMs: number;
  windowEndMs: number;
  distanceKm: number;
  bookedAtMs: number;
}

const pick = <T>(items: readonly T[], unit: number): T => items[Math.floor(unit * items.length)];
const dayMs = 86_400_000;

/** Half the lines are healthy; the rest carry one of the four faults, fixed by the SUPI. */
export function defaultBroadbandFault(supi: string): BroadbandFaultCode | null {
  const bucket = Math.floor(hashUnit(supi, 'broadband') * 8);
  return bucket < broadbandFaultCodes.length ? broadbandFaultCodes[bucket] : null;
}

export async function openBroadbandNetwork(deps: { store: Store; now: () => number; settings: NetworkStateSettings }): Promise<BroadbandNetwork> {
  const { now, settings } = deps;
  const lines = deps.store.collection<LineDocument>('netstate.broadband');
  const visits = deps.store.collection<VisitDocument>('netstate.visits');
  await Promise.all([visits.createIndex({ field: 'supi' }), visits.createIndex({ field: 'slotKey', unique: true })]);
  const offset = settings.utcOffsetMinutes * 60_000;

  const toVisit = (doc: VisitDocument): EngineerVisit => ({
    visitId: doc._id, supi: doc.supi, fault: doc.fault, skill: doc.skill, urgency: doc.urgency, engineerId: doc.engineerId,
    engineerName: doc.engineerName, windowStart: new Date(doc.windowStartMs).toISOString(), windowEnd: new Date(doc.windowEndMs).toISOString(),
    window: `${localDay(doc.windowStartMs, settings.utcOffsetMinutes)} ${localTime(doc.windowStartMs, settings.utcOffsetMinutes)}-${localTime(doc.windowEndMs, settings.utcOffsetMinutes)}`,
    distanceKm: doc.distanceKm, status: doc.windowEndMs <= now() ? 'DONE' : 'BOOKED',
  });

  const latestVisit = async (supi: string): Promise<VisitDocument | null> =>
    (await visits.find({ supi }, { sort: { windowStartMs: -1 }, limit: 1 }))[0] ?? null;

  const homeLocation = (supi: string) => ({
    lat: Number((settings.centre.lat + (hashUnit(supi, 'home-lat') - 0.5) * 0.05).toFixed(5)),
    lon: Number((settings.centre.lon + (hashUnit(supi, 'home-lon') - 0.5) * 0.08).toFixed(5)),
  });

  const getBroadbandLine = async (supi: string): Promise<BroadbandLine> => {
    const doc = await lines.findOne({ _id: supi });
    let fault = doc ? doc.fault : defaultBroadbandFault(supi);
    let lastRepair: BroadbandLine['lastRepair'] = doc?.lastRepair
      ? { fault: doc.lastRepair.fault, action: doc.lastRepair.action, by: doc.lastRepair.by, at: new Date(doc.lastRepair.atMs).toISOString() }
      : null;
    if (fault && !broadbandFaults[fault].remotelyFixable) {
      // The engineer fixes the fault the visit was booked for once the window is over.
      const visit = await latestVisit(supi);
      if (visit && visit.fault === fault && visit.windowEndMs <= now()) {
        lastRepair = { fault, action: broadbandFaults[fault].remedyDone, by: 'engineer', at: new Date(visit.windowEndMs).toISOString() };
        fault = null;
      }
    }
    const plan = pick([150, 500, 900], hashUnit(supi, 'line-plan'));
    const wifiCongested = fault === 'ROUTER_WIFI_CHANNEL_CONGESTION';
    const wanDown = fault === 'ONT_LOS' || fault === 'PPPOE_AUTH_FAILURE';
    const wired = wanDown ? 0 : fault === 'OPTICAL_POWER_DEGRADED' ? plan * 0.35 : plan * (0.9 + hashUnit(supi, 'wired') * 0.07);
    return {
      supi,
      lineId: `FTTH-${String(Math.floor(hashUnit(supi, 'line') * 1e8)).padStart(8, '0')}`,
      technology: 'FTTH',
      planDownMbps: plan,
      lineStatus: fault === 'ONT_LOS' ? 'DOWN' : fault === 'OPTICAL_POWER_DEGRADED' ? 'DEGRADED' : 'UP',
      opticalRxPowerDbm: fault === 'ONT_LOS' ? null : fault === 'OPTICAL_POWER_DEGRADED' ? -27.5 : round1(-18 - hashUnit(supi, 'rx') * 4),
      pppoeSession: fault === 'ONT_LOS' ? 'DOWN' : fault === 'PPPOE_AUTH_FAILURE' ? 'AUTH_FAILED' : 'UP',
      router: {
        model: pick(['HG8145X6', 'F6600P', 'FRITZ!Box 5590'], hashUnit(supi, 'router')),
        status: wifiCongested ? 'DEGRADED' : 'ONLINE',
        wanStatus: wanDown ? 'DOWN' : 'UP',
        wifiChannel: wifiCongested ? 6 : doc?.wifiChannel ?? pick([1, 6, 11], hashUnit(supi, 'channel')),
        wifiUtilisationPercent: wifiCongested ? 92 : Math.round(20 + hashUnit(supi, 'wifi') * 40),
        connectedDevices: 3 + Math.floor(hashUnit(supi, 'devices') * 9),
      },
      wiredThroughputMbps: round1(wired),
      wifiThroughputMbps: round1(wifiCongested ? Math.min(wired, 12 + hashUnit(supi, 'wifi-tp') * 10) : Math.min(wired * 0.8, 600)),
      alarms: fault ? [{ ...broadbandFaults[fault].alarm }] : [],
      fault,
      lastRepair,
      homeLocation: homeLocation(supi),
    };
  };

  const writeLine = async (supi: string, update: Omit<LineDocument, '_id'>): Promise<void> => {
    const existing = await lines.findOne({ _id: supi });
    await lines.replaceOne({ _id: supi }, { ...existing, ...update, _id: supi }, { upsert: true });
  };

  return {
    getBroadbandLine,

    async setBroadbandFault(supi, fault) {
      await writeLine(supi, { fault });
    },

    async repairBroadbandFault(supi, fault) {
      const line = await getBroadbandLine(supi);
      if (line.fault !== fault || !broadbandFaults[fault].remotelyFixable) return { repaired: false, line };
      const lastRepair = { fault, action: broadbandFaults[fault].remedyDone, by: 'remote' as const, atMs: now() };
      await writeLine(supi, { fault: null, lastRepair, ...(fault === 'ROUTER_WIFI_CHANNEL_CONGESTION' ? { wifiChannel: 11 } : {}) });
      return { repaired: true, line: await getBroadbandLine(supi) };
    },

    async bookEngineerVisit(supi, need) {
      const open = await latestVisit(supi);
      if (open && open.windowEndMs > now()) return { visit: toVisit(open), alreadyBooked: true };
      const home = homeLocation(supi);
      // Nearest skilled engineer first; urgent faults may take a window later today, others start tomorrow.
      const candidates = engineers
        .filter((engineer) => engineer.skills.includes(need.skill))
        .map((engineer) => ({
          engineer,
          km: round1(distanceKm(home, { lat: settings.centre.lat + engineer.base.dLat, lon: settings.centre.lon + engineer.base.dLon })),
        }))
        .sort((a, b) => a.km - b.km);
      if (candidates.length === 0) throw new RangeError(`no engineer has the skill ${need.skill}`);
      const earliest = now() + (need.urgency === 'high' ? 2 * 3_600_000 : 0);
      const localMidnight = Math.floor((now() + offset) / dayMs) * dayMs - offset;
      for (let day = need.urgency === 'high' ? 0 : 1; day < 30; day += 1) {
        for (const [startHour, endHour] of visitWindows) {
          const windowStartMs = localMidnight + day * dayMs + startHour * 3_600_000;
          if (windowStartMs < earliest) continue;
          for (const { engineer, km } of candidates) {
            const doc: VisitDocument = {
              _id: `visit-${randomUUID()}`, supi, fault: need.fault, skill: need.skill, urgency: need.urgency,
              engineerId: engineer.engineerId, engineerName: engineer.name, slotKey: `${engineer.engineerId}|${windowStartMs}`,
              windowStartMs, windowEndMs: localMidnight + day * dayMs + endHour * 3_600_000, distanceKm: km, bookedAtMs: now(),
            };
            try {
              await visits.insertOne(doc);
              return { visit: toVisit(doc), alreadyBooked: false };
            } catch (error) {
              if (!(error instanceof DuplicateKeyError)) throw error;
            }
          }
        }
      }
      throw new Error('no engineer window free in the next 30 days');
    },

    async findEngineerVisit(supi) {
      const doc = await latestVisit(supi);
      return doc ? toVisit(doc) : null;
    },
  };
}
