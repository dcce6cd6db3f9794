/**
 * Provisioned subscribers, the UDM's part in this emulation: ranges of SUPIs with what their
 * subscription allows, never one document per subscriber. K is derived from the SUPI
 * (nfs/shared/ue-keys.ts), so a range of 100,000 subscribers costs nothing to hold.
 */
import { ConfigError } from '../shared/config.ts';
import { subscriberKey } from '../shared/ue-keys.ts';

export interface SubscriberRange {
  /** First and last SUPI of the range, inclusive, with the same number of digits. */
  first: string;
  last: string;
  /** The subscription includes an agent in the UE, for which the AMF obtains an AIC. */
  ueAgent: boolean;
  /** The UE converts natural-language intents to operator-defined intents itself. */
  intentConversionOnUe: boolean;
}

export const defaultSubscriberRanges: readonly SubscriberRange[] = Object.freeze([
  { first: 'imsi-001010000000001', last: 'imsi-001010000001000', ueAgent: true, intentConversionOnUe: false },
  { first: 'imsi-001010000001001', last: 'imsi-001010000002000', ueAgent: true, intentConversionOnUe: true },
  { first: 'imsi-001010000002001', last: 'imsi-001010000100000', ueAgent: false, intentConversionOnUe: false },
]);

export interface Subscriber {
  supi: string;
  ueAgent: boolean;
  intentConversionOnUe: boolean;
  /** The subscriber key K. */
  key: Buffer;
}

export interface SubscriberDirectory {
  /** The subscriber, or undefined when the SUPI is provisioned in no range. */
  lookup(supi: string): Subscriber | undefined;
}

interface CompiledRange extends SubscriberRange {
  digits: number;
  low: bigint;
  high: bigint;
}

export function createSubscriberDirectory(options: { ranges: readonly SubscriberRange[]; masterSecret: string }): SubscriberDirectory {
  const ranges: CompiledRange[] = options.ranges.map((range, index) => {
    const low = digitsOf(range.first);
    const high = digitsOf(range.last);
    if (low.length !== high.length) throw new ConfigError(`amf.subscriberRanges[${index}]: ${range.first} and ${range.last} differ in length`);
    if (BigInt(low) > BigInt(high)) throw new ConfigError(`amf.subscriberRanges[${index}]: ${range.first} comes after ${range.last}`);
    return { ...range, digits: low.length, low: BigInt(low), high: BigInt(high) };
  });
  return {
    lookup(supi) {
      const digits = /^imsi-([0-9]{5,15})$/.exec(supi)?.[1];
      if (!digits) return undefined;
      const value = BigInt(digits);
      const range = ranges.find((candidate) => candidate.digits === digits.length && value >= candidate.low && value <= candidate.high);
      if (!range) return undefined;
      return { supi, ueAgent: range.ueAgent, intentConversionOnUe: range.intentConversionOnUe, key: subscriberKey(options.masterSecret, supi) };
    },
  };
}

function digitsOf(supi: string): string {
  const digits = /^imsi-([0-9]{5,15})$/.exec(supi)?.[1];
  if (!digits) throw new ConfigError(`amf.subscriberRanges: ${supi} is not an IMSI-type SUPI`);
  return digits;
}
