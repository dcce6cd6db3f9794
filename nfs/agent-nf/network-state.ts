/**
 * The emulated network the capability agents read and change: cells and their load, where each UE
 * is attached and its radio conditions, UE QoS profiles, home-broadband lines and engineer visits,
 * subscriptions. Defaults are computed from the SUPI or cell and the emulated clock
 * (nfs/shared/network-model.ts); the store holds only what an agent or a scenario changed, so a UE nobody
 * touched costs nothing and every agent sharing the store sees the same network.
 */
import type { Store } from '../shared/store/collection.ts';
import { openBillingSystem, type BillingSystem } from './network-billing.ts';
import { openBroadbandNetwork, type BroadbandNetwork } from './network-broadband.ts';
import {
  cellGrid, clamp, defaultCellIndex, defaultNetworkStateSettings, loadLevel, localTime, profileLoadPercent, round1, radioConditions, uePosition,
  type CellSite, type LoadLevel, type NetworkStateSettings, type RadioConditions,
} from '../shared/network-model.ts';

export type { NetworkStateSettings } from '../shared/network-model.ts';

export interface CellView extends CellSite {
  /** What agents see: the profile (or an override) plus the boosts in the cell, at most 100. */
  loadPercent: number;
  /** The profile load, or the override when one is set. */
  baseLoadPercent: number;
  /** Load reserved by the QoS boosts active in the cell. */
  boostLoadPercent: number;
  overridden: boolean;
  level: LoadLevel;
  rsrpOffsetDb: number;
  sinrOffsetDb: number;
}

/** TS 23.501 clause 5.7.2.1 resource types. */
export type ResourceType = 'GBR' | 'NON_GBR' | 'DELAY_CRITICAL_GBR';

export interface QosProfile {
  /** TS 23.501 Table 5.7.4-1. */
  fiveQi: number;
  resourceType: ResourceType;
  gbrDlMbps: number | null;
  gbrUlMbps: number | null;
  mbrDlMbps: number | null;
  packetDelayBudgetMs: number;
  serviceType: string;
  /** True for the subscription default (5QI 9, best effort), when no boost is active. */
  isDefault: boolean;
  cellId: string | null;
  reservedLoadPercent: number;
  grantedAt: string | null;
  expiresAt: string | null;
}

/** What qos-optimisation grants; the state places it in the UE's current cell. */
export interface QosGrant {
  fiveQi: number;
  resourceType: ResourceType;
  gbrDlMbps: number | null;
  gbrUlMbps: number | null;
  mbrDlMbps: number;
  packetDelayBudgetMs: number;
  serviceType: string;
  durationMinutes: number;
  /** Cell capacity the grant holds back, Mbps. */
  reservedMbps: number;
}

export interface UeRadioView extends RadioConditions {
  supi: string;
  cellId: string;
  tac: string;
  lat: number;
  lon: number;
  accuracyM: number;
  cellLoadPercent: number;
  qos: QosProfile;
}

export interface MobileNetwork {
  readonly settings: NetworkStateSettings;
  readonly cells: readonly CellSite[];
  now(): number;
  findCell(cellId: string): CellSite | undefined;
  getCell(cellId: string): Promise<CellView | null>;
  listCells(): Promise<CellView[]>;
  /** Pins a cell's base load (scenarios, tests); null returns it to the daily profile. */
  setCellLoad(cellId: string, loadPercent: number | null): Promise<void>;
  /** The profile load over the next hours (no override, no boosts): what the cell usually does. */
  forecastCellLoad(cellId: string, hours: number): Array<{ at: string; localTime: string; loadPercent: number }>;
  /** Sets a cell's radio optimisation offsets (tilt and power, interference coordination). */
  setCellRadioOffsets(cellId: string, offsets: { rsrpOffsetDb: number; sinrOffsetDb: number }): Promise<void>;
  getUeRadio(supi: string): Promise<UeRadioView>;
  /** Attaches a UE to another cell (scenarios); an active boost moves with it. */
  moveUe(supi: string, cellId: string): Promise<void>;
  getQosProfile(supi: string): Promise<QosProfile>;
  setQosProfile(supi: string, grant: QosGrant): Promise<QosProfile>;
  /** Returns the UE to the default profile; false when it had no active boost. */
  releaseQosProfile(supi: string): Promise<boolean>;
}

export interface NetworkState extends MobileNetwork, BroadbandNetwork, BillingSystem {}

export interface NetworkStateDeps {
  store: Store;
  now?: () => number;
  settings?: Partial<NetworkStateSettings>;
}

interface CellDocument {
  _id: string;
  loadOverridePercent?: number;
  rsrpOffsetDb?: number;
  sinrOffsetDb?: number;
}

interface AttachmentDocument {
  _id: string;
  cellId: string;
}

/** A grant as kept: placed in a cell, its reservation as a share of the cell, with its time span. */
interface QosDocument extends Omit<QosGrant, 'durationMinutes' | 'reservedMbps'> {
  _id: string;
  cellId: string;
  reservedLoadPercent: number;
  grantedAtMs: number;
  expiresAtMs: number;
}

const defaultQos: QosProfile = Object.freeze({
  fiveQi: 9, resourceType: 'NON_GBR', gbrDlMbps: null, gbrUlMbps: null, mbrDlMbps: null, packetDelayBudgetMs: 300, serviceType: 'best-effort',
  isDefault: true, cellId: null, reservedLoadPercent: 0, grantedAt: null, expiresAt: null,
});

const iso = (ms: number) => new Date(ms).toISOString();

export async function openNetworkState(deps: NetworkStateDeps): Promise<NetworkState> {
  const now = deps.now ?? Date.now;
  const settings: NetworkStateSettings = Object.freeze({ ...defaultNetworkStateSettings, ...deps.settings });
  const cells = cellGrid(settings.centre);
  const byId = new Map(cells.map((cell) => [cell.cellId, cell]));
  const cellDocs = deps.store.collection<CellDocument>('netstate.cells');
  const attachments = deps.store.collection<AttachmentDocument>('netstate.attachments');
  const qos = deps.store.collection<QosDocument>('netstate.qos');
  await Promise.all([qos.createIndex({ field: 'cellId' }), qos.createIndex({ field: 'expiresAtMs' })]);
  const [broadband, billing] = await Promise.all([
    openBroadbandNetwork({ store: deps.store, now, settings }),
    openBillingSystem({ store: deps.store, now, settings }),
  ]);

  const knownCell = (cellId: string): CellSite => {
    const cell = byId.get(cellId);
    if (!cell) throw new RangeError(`unknown cell ${cellId}`);
    return cell;
  };

  const toProfile = (doc: QosDocument): QosProfile => ({
    fiveQi: doc.fiveQi, resourceType: doc.resourceType, gbrDlMbps: doc.gbrDlMbps, gbrUlMbps: doc.gbrUlMbps ?? null, mbrDlMbps: doc.mbrDlMbps,
    packetDelayBudgetMs: doc.packetDelayBudgetMs, serviceType: doc.serviceType, isDefault: false, cellId: doc.cellId,
    reservedLoadPercent: doc.reservedLoadPercent, grantedAt: iso(doc.grantedAtMs), expiresAt: iso(doc.expiresAtMs),
  });

  const view = (cell: CellSite, doc: CellDocument | undefined, boostLoad: number, at: number): CellView => {
    const overridden = typeof doc?.loadOverridePercent === 'number';
    const baseLoadPercent = overridden ? doc!.loadOverridePercent! : profileLoadPercent(cell, at, settings.utcOffsetMinutes);
    const loadPercent = Math.round(clamp(baseLoadPercent + boostLoad, 0, 100));
    return {
      ...cell, loadPercent, baseLoadPercent, boostLoadPercent: round1(boostLoad), overridden,
      level: loadLevel(loadPercent, settings.admissionLimitPercent),
      rsrpOffsetDb: doc?.rsrpOffsetDb ?? 0, sinrOffsetDb: doc?.sinrOffsetDb ?? 0,
    };
  };

  const getCell = async (cellId: string): Promise<CellView | null> => {
    const cell = byId.get(cellId);
    if (!cell) return null;
    const at = now();
    const [doc, boosts] = await Promise.all([
      cellDocs.findOne({ _id: cellId }),
      qos.find({ cellId, expiresAtMs: { $gt: at } }),
    ]);
    return view(cell, doc ?? undefined, boosts.reduce((sum, boost) => sum + boost.reservedLoadPercent, 0), at);
  };

  const servingCell = async (supi: string): Promise<CellSite> => {
    const attachment = await attachments.findOne({ _id: supi });
    return (attachment && byId.get(attachment.cellId)) || cells[defaultCellIndex(supi, cells.length)];
  };

  const getQosProfile = async (supi: string): Promise<QosProfile> => {
    const doc = await qos.findOne({ _id: supi, expiresAtMs: { $gt: now() } });
    return doc ? toProfile(doc) : { ...defaultQos };
  };

  return {
    ...broadband,
    ...billing,
    settings,
    cells,
    now,
    findCell: (cellId) => byId.get(cellId),
    getCell,

    async listCells() {
      const at = now();
      const [docs, boosts] = await Promise.all([cellDocs.find({}), qos.find({ expiresAtMs: { $gt: at } })]);
      return cells.map((cell) => view(
        cell,
        docs.find((doc) => doc._id === cell.cellId),
        boosts.filter((boost) => boost.cellId === cell.cellId).reduce((sum, boost) => sum + boost.reservedLoadPercent, 0),
        at,
      ));
    },

    async setCellLoad(cellId, loadPercent) {
      knownCell(cellId);
      if (loadPercent === null) {
        await cellDocs.findOneAndUpdate({ _id: cellId }, { $unset: { loadOverridePercent: true } });
        return;
      }
      if (!Number.isFinite(loadPercent) || loadPercent < 0 || loadPercent > 100) throw new RangeError('load must be 0..100');
      const updated = await cellDocs.findOneAndUpdate({ _id: cellId }, { $set: { loadOverridePercent: loadPercent } });
      if (!updated) await cellDocs.replaceOne({ _id: cellId }, { _id: cellId, loadOverridePercent: loadPercent }, { upsert: true });
    },

    forecastCellLoad(cellId, hours) {
      const cell = knownCell(cellId);
      const start = Math.ceil(now() / 3_600_000) * 3_600_000;
      return Array.from({ length: hours }, (_, index) => {
        const at = start + index * 3_600_000;
        return { at: iso(at), localTime: localTime(at, settings.utcOffsetMinutes), loadPercent: profileLoadPercent(cell, at, settings.utcOffsetMinutes) };
      });
    },

    async setCellRadioOffsets(cellId, offsets) {
      knownCell(cellId);
      const updated = await cellDocs.findOneAndUpdate({ _id: cellId }, { $set: { ...offsets } });
      if (!updated) await cellDocs.replaceOne({ _id: cellId }, { _id: cellId, ...offsets }, { upsert: true });
    },

    async getUeRadio(supi) {
      const site = await servingCell(supi);
      const [cell, profile] = await Promise.all([getCell(site.cellId), getQosProfile(supi)]);
      const radio = radioConditions(supi, cell!.loadPercent, cell!);
      // An active boost is what the UE experiences: its GBR is served (within what the radio
      // carries) and its packets are scheduled within the 5QI's delay budget.
      const downlinkMbps = profile.gbrDlMbps === null ? radio.downlinkMbps
        : round1(Math.max(radio.downlinkMbps, Math.min(profile.gbrDlMbps, radio.peakDownlinkMbps)));
      const latencyMs = profile.isDefault ? radio.latencyMs : Math.min(radio.latencyMs, Math.round(profile.packetDelayBudgetMs * 0.8));
      return {
        ...radio, downlinkMbps, latencyMs, supi, cellId: site.cellId, tac: site.tac, ...uePosition(supi, site),
        accuracyM: site.radiusM, cellLoadPercent: cell!.loadPercent, qos: profile,
      };
    },

    async moveUe(supi, cellId) {
      knownCell(cellId);
      await attachments.replaceOne({ _id: supi }, { _id: supi, cellId }, { upsert: true });
      await qos.findOneAndUpdate({ _id: supi }, { $set: { cellId } });
    },

    getQosProfile,

    async setQosProfile(supi, grant) {
      const cell = await servingCell(supi);
      const at = now();
      const doc: QosDocument = {
        _id: supi, cellId: cell.cellId, fiveQi: grant.fiveQi, resourceType: grant.resourceType, gbrDlMbps: grant.gbrDlMbps, gbrUlMbps: grant.gbrUlMbps,
        mbrDlMbps: grant.mbrDlMbps, packetDelayBudgetMs: grant.packetDelayBudgetMs, serviceType: grant.serviceType,
        reservedLoadPercent: round1((grant.reservedMbps / cell.capacityMbps) * 100),
        grantedAtMs: at, expiresAtMs: at + grant.durationMinutes * 60_000,
      };
      await qos.replaceOne({ _id: supi }, doc, { upsert: true });
      return toProfile(doc);
    },

    async releaseQosProfile(supi) {
      const removed = await qos.findOneAndDelete({ _id: supi });
      return removed !== null && removed.expiresAtMs > now();
    },
  };
}
