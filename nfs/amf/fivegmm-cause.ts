import type { FiveGmmStatus } from './types.ts';

/** The 5GMM causes this AMF sends (TS 24.501 clause 9.11.3.2), with their Annex A names. */
export const FiveGmmCause = Object.freeze({
  ILLEGAL_UE: 3,
  UE_IDENTITY_CANNOT_BE_DERIVED: 9,
  IMPLICITLY_DEREGISTERED: 10,
  PAYLOAD_NOT_FORWARDED: 90,
  INVALID_MANDATORY_INFORMATION: 96,
  MESSAGE_TYPE_NOT_COMPATIBLE_WITH_STATE: 98,
  PROTOCOL_ERROR_UNSPECIFIED: 111,
});

const names: Record<number, string> = {
  3: 'Illegal UE',
  9: 'UE identity cannot be derived by the network',
  10: 'Implicitly de-registered',
  90: 'Payload was not forwarded',
  96: 'Invalid mandatory information',
  98: 'Message type not compatible with the protocol state',
  111: 'Protocol error, unspecified',
};

/** The fiveGmmCause, causeName and detail members of a reject or 5GMM STATUS. */
export function causeOf(cause: number, detail?: string): { fiveGmmCause: number; causeName: string; detail?: string } {
  return { fiveGmmCause: cause, causeName: names[cause] ?? `5GMM cause #${cause}`, ...(detail ? { detail: detail.slice(0, 500) } : {}) };
}

/** A 5GMM STATUS (TS 24.501 clause 8.2.29) with this cause. */
export const status = (cause: number, detail: string): FiveGmmStatus => ({ messageType: '5GMM_STATUS', ...causeOf(cause, detail) });
