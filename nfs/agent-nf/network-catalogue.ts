/**
 * The fixed reference data of the emulated operator: home-broadband faults (seed 004, use case 2),
 * tariff plans and the field engineers the maintenance scheduler dispatches.
 */

export type BroadbandFaultCode = 'ONT_LOS' | 'OPTICAL_POWER_DEGRADED' | 'ROUTER_WIFI_CHANNEL_CONGESTION' | 'PPPOE_AUTH_FAILURE';

export interface BroadbandFault {
  code: BroadbandFaultCode;
  description: string;
  /** False when only a visit can fix it (a cut or dirty fibre). */
  remotelyFixable: boolean;
  /** What the fault handler does remotely, or what the engineer will do ("to ..."). */
  remedy: string;
  /** The remedy once done, for the line's repair record. */
  remedyDone: string;
  /** The engineer skill a visit needs. */
  skill: string;
  urgency: Urgency;
  alarm: { code: string; severity: 'CRITICAL' | 'MAJOR' | 'MINOR'; source: 'OLT' | 'ONT' | 'BNG' | 'HOME_GATEWAY'; text: string };
}

export type Urgency = 'low' | 'medium' | 'high';

export const broadbandFaults: Readonly<Record<BroadbandFaultCode, BroadbandFault>> = Object.freeze({
  ONT_LOS: {
    code: 'ONT_LOS',
    description: 'no light reaches the fibre terminal (ONT loss of signal), most likely a cut fibre',
    remotelyFixable: false,
    remedy: 'locate and splice the fibre between the splitter and the home',
    remedyDone: 'spliced the cut fibre between the splitter and the home',
    skill: 'fibre-splicing',
    urgency: 'high',
    alarm: { code: 'ONT_LOS', severity: 'CRITICAL', source: 'OLT', text: 'Loss of signal on the ONT' },
  },
  OPTICAL_POWER_DEGRADED: {
    code: 'OPTICAL_POWER_DEGRADED',
    description: 'the fibre signal is too weak (-27.5 dBm at the ONT), typically a dirty or bent connector',
    remotelyFixable: false,
    remedy: 'clean or replace the fibre connector and re-measure the optical power',
    remedyDone: 'cleaned the fibre connector; the optical power is back in range',
    skill: 'optical',
    urgency: 'medium',
    alarm: { code: 'ONT_LOW_RX_POWER', severity: 'MAJOR', source: 'ONT', text: 'ONT receive power below -27 dBm' },
  },
  ROUTER_WIFI_CHANNEL_CONGESTION: {
    code: 'ROUTER_WIFI_CHANNEL_CONGESTION',
    description: "the home router's 2.4 GHz Wi-Fi channel is crowded by neighbouring networks",
    remotelyFixable: true,
    remedy: "move the router's 2.4 GHz Wi-Fi from channel 6 to the quieter channel 11",
    remedyDone: "moved the router's 2.4 GHz Wi-Fi from channel 6 to the quieter channel 11",
    skill: 'home-network',
    urgency: 'low',
    alarm: { code: 'WIFI_CHANNEL_CONGESTION', severity: 'MINOR', source: 'HOME_GATEWAY', text: 'Wi-Fi channel utilisation above 90%' },
  },
  PPPOE_AUTH_FAILURE: {
    code: 'PPPOE_AUTH_FAILURE',
    description: "the router's PPPoE login is rejected, so the line is up but there is no internet session",
    remotelyFixable: true,
    remedy: "re-synchronise the router's PPPoE credentials from AAA and restart the session",
    remedyDone: "re-synchronised the router's PPPoE credentials from AAA and restarted the session",
    skill: 'home-network',
    urgency: 'medium',
    alarm: { code: 'PPPOE_AUTH_FAIL', severity: 'MAJOR', source: 'BNG', text: 'PPPoE authentication rejected' },
  },
});

export const broadbandFaultCodes = Object.keys(broadbandFaults) as BroadbandFaultCode[];

export const isBroadbandFaultCode = (value: unknown): value is BroadbandFaultCode =>
  typeof value === 'string' && Object.hasOwn(broadbandFaults, value);

export interface Plan {
  planId: string;
  name: string;
  monthlyPrice: number;
  /** Null for unlimited. */
  allowanceGb: number | null;
}

export const plans: readonly Plan[] = Object.freeze([
  { planId: 'essential-10', name: 'Essential 10 GB', monthlyPrice: 12, allowanceGb: 10 },
  { planId: 'plus-50', name: 'Plus 50 GB', monthlyPrice: 20, allowanceGb: 50 },
  { planId: 'max-150', name: 'Max 150 GB', monthlyPrice: 30, allowanceGb: 150 },
  { planId: 'unlimited', name: 'Unlimited', monthlyPrice: 40, allowanceGb: null },
]);

/** Out-of-bundle data, per started GB beyond the allowance. */
export const overagePricePerGb = 3;

/**
 * Finds a plan by id or name ignoring case, spaces and hyphens ("Plus 50GB" finds plus-50), then
 * by a unique start ("max"), then by its allowance ("50 GB").
 */
export function findPlan(text: string): Plan | undefined {
  const key = (value: string) => value.toLowerCase().replace(/[\s_-]+/g, '').replace(/gb$/, '');
  const wanted = key(text);
  if (wanted === '') return undefined;
  const exact = plans.find((plan) => key(plan.planId) === wanted || key(plan.name) === wanted);
  if (exact) return exact;
  const started = plans.filter((plan) => key(plan.name).startsWith(wanted));
  if (started.length === 1) return started[0];
  return plans.find((plan) => plan.allowanceGb !== null && String(plan.allowanceGb) === wanted);
}

export interface Engineer {
  engineerId: string;
  name: string;
  skills: readonly string[];
  /** Where the engineer's shift starts, as offsets from the grid centre in degrees. */
  base: { dLat: number; dLon: number };
}

export const engineers: readonly Engineer[] = Object.freeze([
  { engineerId: 'eng-01', name: 'A. Okafor', skills: ['fibre-splicing', 'optical'], base: { dLat: 0.01, dLon: -0.03 } },
  { engineerId: 'eng-02', name: 'M. Nowak', skills: ['optical', 'home-network'], base: { dLat: -0.012, dLon: 0.02 } },
  { engineerId: 'eng-03', name: 'R. Patel', skills: ['fibre-splicing', 'optical', 'home-network'], base: { dLat: 0.02, dLon: 0.03 } },
  { engineerId: 'eng-04', name: 'L. Moreau', skills: ['home-network'], base: { dLat: -0.005, dLon: -0.01 } },
]);

/** Visit windows of a working day, local hours [start, end). */
export const visitWindows: ReadonlyArray<readonly [number, number]> = Object.freeze([[8, 12], [12, 16], [16, 20]] as const);
