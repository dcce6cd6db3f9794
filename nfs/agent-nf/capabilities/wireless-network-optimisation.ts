/**
 * /capability/wireless-network-optimisation: improves the radio around a UE with poor signal by
 * re-tilting and powering up its serving cell (coverage) or coordinating interference with the
 * neighbours (SINR). Each lever moves the cell's offsets by 3 dB, up to 6 dB, and changes what
 * every UE of the cell measures afterwards. No parameters.
 */
import type { NetworkState } from '../network-state.ts';
import { completed, requireSupi, type CapabilityHandler } from './capability-types.ts';

const step = 3;
const cap = 6;

export interface RadioOptimisation {
  cellId: string;
  actions: string[];
  before: { rsrpDbm: number; sinrDb: number };
  after: { rsrpDbm: number; sinrDb: number };
  /** True when the signal is poor but the levers are used up. */
  exhausted: boolean;
}

/** Applies what helps the UE's signal; writes nothing when its radio is fine or nothing is left. */
export async function optimiseRadio(state: NetworkState, supi: string): Promise<RadioOptimisation> {
  const radio = await state.getUeRadio(supi);
  const cell = (await state.getCell(radio.cellId))!;
  const weak = radio.rsrpDbm < -105;
  const noisy = radio.sinrDb < 5;
  const rsrpOffsetDb = weak ? Math.min(cap, cell.rsrpOffsetDb + step) : cell.rsrpOffsetDb;
  const sinrOffsetDb = noisy ? Math.min(cap, cell.sinrOffsetDb + step) : cell.sinrOffsetDb;
  const actions: string[] = [];
  if (rsrpOffsetDb > cell.rsrpOffsetDb) actions.push('ANTENNA_TILT_AND_POWER');
  if (sinrOffsetDb > cell.sinrOffsetDb) actions.push('INTERFERENCE_COORDINATION');
  const before = { rsrpDbm: radio.rsrpDbm, sinrDb: radio.sinrDb };
  if (actions.length === 0) return { cellId: cell.cellId, actions, before, after: before, exhausted: weak || noisy };
  await state.setCellRadioOffsets(cell.cellId, { rsrpOffsetDb, sinrOffsetDb });
  const after = await state.getUeRadio(supi);
  return { cellId: cell.cellId, actions, before, after: { rsrpDbm: after.rsrpDbm, sinrDb: after.sinrDb }, exhausted: false };
}

const actionText: Record<string, string> = {
  ANTENNA_TILT_AND_POWER: 're-tilted its antenna and raised its power',
  INTERFERENCE_COORDINATION: 'coordinated interference with its neighbours',
};

export const wirelessNetworkOptimisation: CapabilityHandler = async (task, { state }) => {
  const subject = requireSupi(task, 'optimise the radio around the device');
  if ('failure' in subject) return subject.failure;
  const result = await optimiseRadio(state, subject.supi);
  const { before, after } = result;
  let summary: string;
  if (result.actions.length > 0) {
    const change = after.rsrpDbm !== before.rsrpDbm
      ? `your signal went from ${before.rsrpDbm} to ${after.rsrpDbm} dBm (SINR ${before.sinrDb} to ${after.sinrDb} dB)`
      : `your SINR went from ${before.sinrDb} to ${after.sinrDb} dB`;
    summary = `Optimised cell ${result.cellId}: ${result.actions.map((action) => actionText[action]).join(' and ')}; ${change}.`;
  } else if (result.exhausted) {
    summary = `Cell ${result.cellId} is already optimised as far as it goes and your signal is still poor (${before.rsrpDbm} dBm, SINR ${before.sinrDb} dB); a coverage survey for a new small cell has been suggested.`;
  } else {
    summary = `Your signal in cell ${result.cellId} is already good (${before.rsrpDbm} dBm, SINR ${before.sinrDb} dB), so no radio change was needed.`;
  }
  return completed(task, summary, { ...result, changed: result.actions.length > 0 });
};
