/**
 * /capability/cell-load-analytics: how busy a cell is now and when it is usually quieter, shaped
 * like NWDAF network performance analytics (TS 23.288 clause 6.6): a current value and a
 * prediction over a horizon.
 *
 * Inputs: a location result (its cellId). Parameters: cellId (optional; else the located cell,
 * else the UE's serving cell), horizonHours (1..48, default 24).
 */
import { completed, failed, inputOf, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

export const cellLoadAnalytics: CapabilityHandler = async (task, { state, now }) => {
  const params = readParameters(task.parameters);
  const wantedCell = params.string('cellId', 32);
  const horizonHours = params.number('horizonHours', { min: 1, max: 48, integer: true }) ?? 24;
  const problem = parameterFailure(task, params);
  if (problem) return problem;
  // The serving cell a location task found, when the workflow ran one first.
  const located = inputOf(task, '/capability/location')?.data.cellId;
  let cellId = wantedCell ?? (typeof located === 'string' && state.findCell(located) ? located : undefined);
  if (cellId === undefined) {
    const subject = requireSupi(task, "analyse the load of the device's cell");
    if ('failure' in subject) return subject.failure;
    cellId = (await state.getUeRadio(subject.supi)).cellId;
  }
  const cell = await state.getCell(cellId);
  if (!cell) {
    const known = state.cells.map((site) => site.cellId);
    return failed(task, `There is no cell ${cellId}; the cells are ${known[0]} to ${known[known.length - 1]}.`, { reason: 'UNKNOWN_CELL', cellId });
  }
  const forecast = state.forecastCellLoad(cell.cellId, horizonHours);
  const quietest = forecast.reduce((best, hour) => (hour.loadPercent < best.loadPercent ? hour : best));
  const busiest = forecast.reduce((best, hour) => (hour.loadPercent > best.loadPercent ? hour : best));
  const ahead = horizonHours === 1 ? 'in the next hour' : `over the next ${horizonHours} hours`;
  return completed(
    task,
    `Cell ${cell.cellId} is ${cell.loadPercent}% loaded now (${cell.level}); ${ahead} it is usually quietest at ${quietest.localTime} (${quietest.loadPercent}%) and busiest at ${busiest.localTime} (${busiest.loadPercent}%).`,
    {
      cellId: cell.cellId, tac: cell.tac, loadPercent: cell.loadPercent, level: cell.level, baseLoadPercent: cell.baseLoadPercent,
      boostLoadPercent: cell.boostLoadPercent, overridden: cell.overridden, capacityMbps: cell.capacityMbps,
      observedAt: new Date(now()).toISOString(), horizonHours, forecast, quietest, busiest,
    },
  );
};
