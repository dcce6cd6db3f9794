/**
 * /capability/qos-optimisation: picks a standardised 5QI for what the user asks (TS 23.501 Table
 * 5.7.4-1), admits it against the load of the UE's cell and writes the UE's new QoS profile for
 * durationMinutes. A cell above the admission limit refuses; a cell or a radio link that cannot
 * carry the whole rate gets part of it.
 *
 * Parameters: action (apply | show | release, default apply), latencyMsMax (10..1000),
 * downlinkMbpsMin (0.1..1000), uplinkMbpsMin (0.1..1000, guaranteed on GBR 5QIs only),
 * serviceType (free text: call, video, gaming, streaming, xr ...), durationMinutes (1..1440,
 * default 60).
 */
import { localTime, round1 } from '../../shared/network-model.ts';
import type { QosProfile, ResourceType } from '../network-state.ts';
import { completed, failed, requireSupi, type CapabilityHandler } from './capability-types.ts';
import { parameterFailure, readParameters } from './task-parameters.ts';

interface FiveQi {
  fiveQi: number;
  resourceType: ResourceType;
  packetDelayBudgetMs: number;
}

/** The 5QIs offered to UEs, from TS 23.501 Table 5.7.4-1. */
const offered: readonly FiveQi[] = [
  { fiveQi: 4, resourceType: 'GBR', packetDelayBudgetMs: 300 },
  { fiveQi: 2, resourceType: 'GBR', packetDelayBudgetMs: 150 },
  { fiveQi: 1, resourceType: 'GBR', packetDelayBudgetMs: 100 },
  { fiveQi: 3, resourceType: 'GBR', packetDelayBudgetMs: 50 },
  { fiveQi: 80, resourceType: 'NON_GBR', packetDelayBudgetMs: 10 },
];

/** Service keywords -> the 5QI the table names for them and a rate that serves them well. */
const services: ReadonlyArray<{ pattern: RegExp; name: string; fiveQi: number; mbps: number }> = [
  { pattern: /\b(ar|vr|xr)\b|augmented|virtual reality|metaverse/, name: 'xr', fiveQi: 80, mbps: 50 },
  { pattern: /gam/, name: 'gaming', fiveQi: 3, mbps: 10 },
  { pattern: /video.?call|conferenc|meeting|live/, name: 'video-call', fiveQi: 2, mbps: 8 },
  { pattern: /voice|call|phone/, name: 'voice', fiveQi: 1, mbps: 0.5 },
  { pattern: /stream|tv|movie|film/, name: 'streaming', fiveQi: 4, mbps: 25 },
  { pattern: /video/, name: 'video', fiveQi: 2, mbps: 25 },
];

/** Share of cell capacity a non-GBR priority flow holds back per Mbps of its MBR. */
const nonGbrReservation = 0.3;

function describe(profile: QosProfile, utcOffsetMinutes: number): string {
  if (profile.isDefault) return 'the default best-effort QoS (5QI 9)';
  const rate = profile.gbrDlMbps !== null ? `${profile.gbrDlMbps} Mbps guaranteed` : `a ${profile.packetDelayBudgetMs} ms delay budget and up to ${profile.mbrDlMbps} Mbps`;
  return `5QI ${profile.fiveQi} with ${rate} until ${localTime(Date.parse(profile.expiresAt!), utcOffsetMinutes)}`;
}

export const qosOptimisation: CapabilityHandler = async (task, { state }) => {
  const subject = requireSupi(task, 'change the QoS');
  if ('failure' in subject) return subject.failure;
  const { supi } = subject;
  const params = readParameters(task.parameters);
  const action = params.oneOf('action', ['apply', 'show', 'release'] as const) ?? 'apply';
  const latencyMsMax = params.number('latencyMsMax', { min: 1, max: 1000 });
  const downlinkMbpsMin = params.number('downlinkMbpsMin', { min: 0.1, max: 1000 });
  const uplinkMbpsMin = params.number('uplinkMbpsMin', { min: 0.1, max: 1000 });
  const serviceText = params.string('serviceType', 64);
  const durationMinutes = params.number('durationMinutes', { min: 1, max: 1440, integer: true }) ?? 60;
  const problem = parameterFailure(task, params);
  if (problem) return problem;
  const offset = state.settings.utcOffsetMinutes;

  if (action === 'show') {
    const radio = await state.getUeRadio(supi);
    return completed(task, `Your connection in cell ${radio.cellId} uses ${describe(radio.qos, offset)}.`, { action, cellId: radio.cellId, profile: radio.qos });
  }
  if (action === 'release') {
    const before = await state.getQosProfile(supi);
    const released = await state.releaseQosProfile(supi);
    return completed(task, released
      ? `Your QoS boost (5QI ${before.fiveQi}) was released; you are back on best effort (5QI 9).`
      : 'You had no active QoS boost; you are on best effort (5QI 9).', { action, released, profile: await state.getQosProfile(supi) });
  }

  if (latencyMsMax !== undefined && latencyMsMax < 10) {
    return failed(task, `No QoS class offered to phones guarantees less than 10 ms (5QI 80 is the lowest at 10 ms), so ${latencyMsMax} ms cannot be promised.`, {
      reason: 'LATENCY_NOT_OFFERED', latencyMsMax,
    });
  }
  const service = serviceText ? services.find((entry) => entry.pattern.test(serviceText.toLowerCase())) : undefined;
  const fits = (entry: FiveQi) => latencyMsMax === undefined || entry.packetDelayBudgetMs <= latencyMsMax;
  const wanted = service && offered.find((entry) => entry.fiveQi === service.fiveQi);
  const chosen = wanted && fits(wanted) ? wanted : offered.find(fits)!;
  const requestedMbps = downlinkMbpsMin ?? service?.mbps ?? 20;

  const radio = await state.getUeRadio(supi);
  const cell = (await state.getCell(radio.cellId))!;
  const previous = radio.qos.isDefault ? null : radio.qos;
  // The UE's own boost is replaced, so its reservation does not count against it.
  const loadPercent = Math.round(Math.max(0, cell.loadPercent - (previous?.cellId === cell.cellId ? previous.reservedLoadPercent : 0)));
  const limit = state.settings.admissionLimitPercent;
  const context = { action, cellId: cell.cellId, cellLoadPercent: loadPercent, admissionLimitPercent: limit, fiveQi: chosen.fiveQi, requestedDownlinkMbps: requestedMbps, latencyMsMax: latencyMsMax ?? null, serviceType: service?.name ?? serviceText ?? null };

  if (loadPercent >= limit) {
    const quieter = state.forecastCellLoad(cell.cellId, 24).find((hour) => hour.loadPercent < limit - 20);
    const hint = quieter ? `; it is usually down to ${quieter.loadPercent}% by ${quieter.localTime}` : '';
    return failed(task, `Your cell ${cell.cellId} is ${loadPercent}% loaded, above the ${limit}% admission limit, so no QoS boost can be granted now${hint}.`, {
      ...context, reason: 'CELL_CONGESTED', quieterAt: quieter ?? null,
    });
  }
  const reservationPerMbps = chosen.resourceType === 'NON_GBR' ? nonGbrReservation : 1;
  const cellMaxMbps = ((limit - loadPercent) / 100) * cell.capacityMbps / reservationPerMbps;
  const grantedMbps = round1(Math.min(requestedMbps, cellMaxMbps, radio.peakDownlinkMbps));
  const limitedBy = grantedMbps >= requestedMbps ? null : cellMaxMbps <= radio.peakDownlinkMbps ? 'cell-load' : 'radio';
  if (grantedMbps < Math.min(1, requestedMbps)) {
    return failed(task, limitedBy === 'radio'
      ? `Your signal in cell ${cell.cellId} (SINR ${radio.sinrDb} dB) cannot carry ${requestedMbps} Mbps, so no QoS boost was applied.`
      : `Your cell ${cell.cellId} is ${loadPercent}% loaded and has no capacity left to guarantee ${requestedMbps} Mbps, so no QoS boost was applied.`, {
      ...context, reason: limitedBy === 'radio' ? 'RADIO_LIMITED' : 'INSUFFICIENT_CAPACITY',
    });
  }

  const gbr = chosen.resourceType === 'NON_GBR' ? null : grantedMbps;
  // TDD uplink gets about a quarter of the slots, so it carries a quarter of the downlink peak.
  const uplinkPeakMbps = round1(radio.peakDownlinkMbps * 0.25);
  const gbrUl = gbr === null || uplinkMbpsMin === undefined ? null : round1(Math.min(uplinkMbpsMin, uplinkPeakMbps));
  const profile = await state.setQosProfile(supi, {
    fiveQi: chosen.fiveQi, resourceType: chosen.resourceType, gbrDlMbps: gbr, gbrUlMbps: gbrUl,
    mbrDlMbps: gbr === null ? grantedMbps : round1(Math.max(gbr * 1.5, gbr + 5)),
    packetDelayBudgetMs: chosen.packetDelayBudgetMs, serviceType: service?.name ?? 'generic', durationMinutes,
    reservedMbps: grantedMbps * reservationPerMbps,
  });
  const rate = gbr === null ? `a ${chosen.packetDelayBudgetMs} ms delay budget and up to ${grantedMbps} Mbps`
    : gbrUl === null ? `${grantedMbps} Mbps guaranteed` : `${grantedMbps} Mbps down and ${gbrUl} Mbps up guaranteed`;
  const until = localTime(Date.parse(profile.expiresAt!), offset);
  const raised = `QoS raised to 5QI ${chosen.fiveQi} with ${rate} for ${durationMinutes} minutes (until ${until})`;
  const summary = limitedBy === null
    ? `Your cell ${cell.cellId} is ${loadPercent}% loaded; ${raised}.`
    : limitedBy === 'cell-load'
      ? `Your cell ${cell.cellId} is ${loadPercent}% loaded, so only ${grantedMbps} of the ${requestedMbps} Mbps asked for could be granted; ${raised}.`
      : `Your signal (SINR ${radio.sinrDb} dB) carries at most ${radio.peakDownlinkMbps} Mbps, so only ${grantedMbps} of the ${requestedMbps} Mbps asked for could be granted; ${raised}.`;
  const uplinkShort = gbrUl !== null && gbrUl < uplinkMbpsMin!;
  return completed(task, summary, {
    ...context, requestedUplinkMbps: uplinkMbpsMin ?? null, grant: limitedBy === null && !uplinkShort ? 'full' : 'partial', limitedBy,
    uplinkLimitedBy: uplinkShort ? 'radio' : null, grantedDownlinkMbps: grantedMbps, grantedUplinkMbps: gbrUl, profile, replaced: previous,
  });
};
