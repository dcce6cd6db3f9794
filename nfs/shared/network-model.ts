/**
 * The deterministic half of the emulated network: the cell grid, the daily load profile and the
 * radio conditions of a UE, all pure functions of (cell or SUPI, emulated clock). Nothing here
 * touches the store; nfs/agent-nf/network-state.ts adds what scenarios and capability agents
 * change. Shared, as the radio is: the UE simulator's agent measures the same radio the network's
 * agents estimate (ue-sim/ue-measurement.ts).
 */
import { createHash } from 'node:crypto';

export interface NetworkStateSettings {
  /** Where the emulated cell grid is centred. */
  centre: { lat: number; lon: number };
  /** The emulated city's offset from UTC, minutes; the daily load profile follows local time. */
  utcOffsetMinutes: number;
  /** A QoS boost is admitted only while its cell stays at or below this load, %. */
  admissionLimitPercent: number;
  /** ISO 4217 code the bills are in. */
  currency: string;
}

export const defaultNetworkStateSettings: NetworkStateSettings = Object.freeze({
  centre: Object.freeze({ lat: 51.5072, lon: -0.1276 }),
  utcOffsetMinutes: 0,
  admissionLimitPercent: 90,
  currency: 'GBP',
});

export interface CellSite {
  cellId: string;
  /** TS 23.003 clause 19.4.2.3: a 24-bit TAC as 6 hex digits. */
  tac: string;
  lat: number;
  lon: number;
  band: string;
  /** What the cell carries at 100% load, Mbps; a QoS boost's reservation is a share of it. */
  capacityMbps: number;
  /** Cell radius used as the accuracy of a cell-ID position, m. */
  radiusM: number;
  /** How much busier (or quieter) than the city's daily profile this cell runs, percentage points. */
  loadOffsetPercent: number;
}

/** A uniform number in [0, 1) from the SHA-256 of the parts: stable across runs and machines. */
export function hashUnit(...parts: string[]): number {
  return createHash('sha256').update(parts.join('|')).digest().readUIntBE(0, 6) / 2 ** 48;
}

/** One decimal; adding 0 turns -0 into 0, which JSON would do anyway. */
export const round1 = (value: number) => Math.round(value * 10) / 10 + 0;
export const clamp = (value: number, min: number, max: number) => Math.min(max, Math.max(min, value));

/**
 * Twelve cells in a 4 x 3 grid about 1.4 km apart; one tracking area per row. Offsets run from
 * -15 to +25 points, so the busiest cells pass a 90% admission limit in the evening peak.
 */
export function cellGrid(centre: { lat: number; lon: number }): readonly CellSite[] {
  const cells: CellSite[] = [];
  for (let row = 0; row < 3; row += 1) {
    for (let column = 0; column < 4; column += 1) {
      const cellId = `nr-cell-${String(row * 4 + column + 1).padStart(3, '0')}`;
      const small = hashUnit(cellId, 'kind') < 0.25;
      cells.push(Object.freeze({
        cellId,
        tac: `00010${row + 1}`,
        lat: Number((centre.lat + (row - 1) * 0.0125).toFixed(5)),
        lon: Number((centre.lon + (column - 1.5) * 0.02).toFixed(5)),
        band: small ? 'n258' : 'n78',
        capacityMbps: small ? 600 : 1000,
        radiusM: small ? 200 : 450,
        loadOffsetPercent: Math.round(hashUnit(cellId, 'offset') * 40 - 15) + 0,
      }));
    }
  }
  return Object.freeze(cells);
}

/** City-wide load by local hour, %: quiet at night, a morning shoulder, the peak at 19:00. */
const dailyProfile = [22, 18, 15, 13, 12, 14, 20, 35, 50, 55, 52, 50, 54, 55, 52, 50, 55, 62, 70, 74, 72, 62, 45, 30];

/** Minutes since local midnight of the emulated city. */
export function localMinuteOfDay(atMs: number, utcOffsetMinutes: number): number {
  const minutes = Math.floor((atMs + utcOffsetMinutes * 60_000) / 60_000);
  return ((minutes % 1440) + 1440) % 1440;
}

/** "19:05" in the emulated city's local time. */
export function localTime(atMs: number, utcOffsetMinutes: number): string {
  return new Date(atMs + utcOffsetMinutes * 60_000).toISOString().slice(11, 16);
}

/** "Tue 14 May" in the emulated city's local time. */
export function localDay(atMs: number, utcOffsetMinutes: number): string {
  return new Date(atMs + utcOffsetMinutes * 60_000).toLocaleDateString('en-GB', {
    timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short',
  });
}

/**
 * The load a cell would carry with no override and no QoS boost: the daily profile interpolated
 * by minute, the cell's offset, and a +-4 point wobble that changes every 15 minutes.
 */
export function profileLoadPercent(cell: CellSite, atMs: number, utcOffsetMinutes: number): number {
  const minute = localMinuteOfDay(atMs, utcOffsetMinutes);
  const hour = Math.floor(minute / 60);
  const fraction = (minute % 60) / 60;
  const base = dailyProfile[hour] + (dailyProfile[(hour + 1) % 24] - dailyProfile[hour]) * fraction;
  const slot = Math.floor((atMs + utcOffsetMinutes * 60_000) / 900_000);
  const wobble = (hashUnit(cell.cellId, 'slot', String(slot)) - 0.5) * 8;
  return Math.round(clamp(base + cell.loadOffsetPercent + wobble, 2, 100));
}

export type LoadLevel = 'low' | 'medium' | 'high' | 'congested';

export function loadLevel(loadPercent: number, admissionLimitPercent: number): LoadLevel {
  if (loadPercent >= admissionLimitPercent) return 'congested';
  if (loadPercent >= 70) return 'high';
  if (loadPercent >= 40) return 'medium';
  return 'low';
}

/** A UE's default serving cell: fixed by its SUPI, so every agent and every run agrees. */
export function defaultCellIndex(supi: string, cellCount: number): number {
  return Math.floor(hashUnit(supi, 'cell') * cellCount);
}

export interface RadioConditions {
  /** TS 38.215 clause 5.1.1 SS-RSRP, dBm. */
  rsrpDbm: number;
  /** TS 38.215 clause 5.1.3 SS-RSRQ, dB. */
  rsrqDb: number;
  /** TS 38.215 clause 5.1.5 SS-SINR, dB. */
  sinrDb: number;
  /** What the UE could get alone in the cell, Mbps. */
  peakDownlinkMbps: number;
  /** What the UE gets now, sharing the cell at its load, Mbps. */
  downlinkMbps: number;
  /** Round-trip time to the core, ms; queueing grows steeply past 80% load. */
  latencyMs: number;
}

/**
 * Radio conditions of a UE in its cell. Distance (from the SUPI) sets RSRP; SINR falls as the
 * cell's load, and with it the neighbours' interference, rises. Offsets are a cell's radio
 * optimisation (tilt, power, interference coordination).
 */
export function radioConditions(
  supi: string,
  cellLoadPercent: number,
  offsets: { rsrpOffsetDb?: number; sinrOffsetDb?: number } = {},
): RadioConditions {
  const distance = hashUnit(supi, 'distance');
  const rsrpDbm = round1(-70 - 45 * distance + (offsets.rsrpOffsetDb ?? 0));
  const sinrDb = round1(25 - 22 * distance + (hashUnit(supi, 'sinr') - 0.5) * 4
    - Math.max(0, cellLoadPercent - 40) * 0.12 + (offsets.sinrOffsetDb ?? 0));
  const rsrqDb = round1(clamp(-6 - 8 * (cellLoadPercent / 100) - 4 * distance, -19.5, -3));
  // Shannon bound capped at 256-QAM's 7.4 bit/s/Hz on 100 MHz, with 25% overhead.
  const efficiency = Math.min(7.4, Math.log2(1 + 10 ** (sinrDb / 10)));
  const peakDownlinkMbps = round1(efficiency * 100 * 0.75);
  const downlinkMbps = round1(peakDownlinkMbps * Math.max(0.03, 1 - cellLoadPercent / 100));
  const latencyMs = Math.round(10 + 40 * (cellLoadPercent / 100) ** 4 + (sinrDb < 3 ? 15 : 0));
  return { rsrpDbm, rsrqDb, sinrDb, peakDownlinkMbps, downlinkMbps, latencyMs };
}

/** A position near the cell site, stable per SUPI. */
export function uePosition(supi: string, cell: CellSite): { lat: number; lon: number } {
  const spread = cell.radiusM / 111_000;
  return {
    lat: Number((cell.lat + (hashUnit(supi, 'lat') - 0.5) * spread).toFixed(5)),
    lon: Number((cell.lon + (hashUnit(supi, 'lon') - 0.5) * spread * 1.6).toFixed(5)),
  };
}

/** Great-circle distance, km. */
export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}
