/**
 * /capability/location: the UE's serving cell, tracking area and a cell-ID position whose
 * accuracy is the cell's radius (NR E-CID of TS 38.305 reduced to the serving cell). No
 * parameters.
 */
import { completed, requireSupi, type CapabilityHandler } from './capability-types.ts';

export const location: CapabilityHandler = async (task, { state, now }) => {
  const subject = requireSupi(task, 'locate the device');
  if ('failure' in subject) return subject.failure;
  const radio = await state.getUeRadio(subject.supi);
  return completed(
    task,
    `Your device is in cell ${radio.cellId} (tracking area ${radio.tac}), at about ${radio.lat}, ${radio.lon} within ${radio.accuracyM} m.`,
    {
      supi: subject.supi, cellId: radio.cellId, tac: radio.tac, lat: radio.lat, lon: radio.lon,
      accuracyM: radio.accuracyM, method: 'CELL_ID', timestamp: new Date(now()).toISOString(),
    },
  );
};
