/**
 * The UE's half of NAS security (TS 24.501 clause 4.4; TS 33.501 clause 6.4), over the keys of
 * nfs/shared/ue-keys.ts: the REGISTRATION ACCEPT must verify under K_NASint with downlink NAS
 * COUNT 0 (so the network has shown it knows K), every uplink message takes the next uplink NAS
 * COUNT, and a downlink message is taken only when its MAC verifies and its count is new. The
 * only unprotected answers taken are the rejects a UE must act on without a security context
 * (TS 24.501 clause 4.4.4.2).
 */
import type { components } from '../openapi/generated/namf-nas.ts';
import { nasIntegrityKey, protectNasMessage, verifyNasMac } from '../nfs/shared/ue-keys.ts';
import type { DownlinkNasMessage, UplinkNasMessage } from './nas-channel.ts';

type RegistrationAccept = components['schemas']['RegistrationAccept'];
type ProtectedUplink = Extract<UplinkNasMessage, { securityHeader: unknown }>;
/** A protected uplink message before protection (Omit over each member of the union). */
export type UnprotectedUplink = ProtectedUplink extends infer M ? (M extends unknown ? Omit<M, 'securityHeader'> : never) : never;

/** The network answered with a reject, a 5GMM STATUS, or nothing the procedure expects. */
export class NasRejectError extends Error {
  constructor(
    readonly procedure: string,
    readonly messageType: string | undefined,
    readonly fiveGmmCause: number | undefined,
    readonly causeName: string | undefined,
    readonly detail: string | undefined,
  ) {
    super(
      fiveGmmCause !== undefined
        ? `the network rejected the ${procedure}: ${messageType} #${fiveGmmCause} ${causeName ?? ''}${detail ? ` (${detail})` : ''}`
        : `the network answered the ${procedure} with ${messageType ?? 'nothing'}`,
    );
    this.name = 'NasRejectError';
  }

  static of(procedure: string, answer: DownlinkNasMessage | undefined): NasRejectError {
    const reject = answer as { messageType?: string; fiveGmmCause?: number; causeName?: string; detail?: string } | undefined;
    return new NasRejectError(procedure, reject?.messageType, reject?.fiveGmmCause, reject?.causeName, reject?.detail);
  }
}

/** A downlink message failed the UE's integrity or replay check: it is not from the network. */
export class NasSecurityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NasSecurityError';
  }
}

export interface UeSecurity {
  protect(message: UnprotectedUplink): UplinkNasMessage;
  /** The answer when it passes the checks; throws NasSecurityError otherwise. */
  check(answer: DownlinkNasMessage): DownlinkNasMessage;
}

const unprotectedAllowed = new Set(['REGISTRATION_REJECT', 'SERVICE_REJECT', '5GMM_STATUS']);

export function createUeSecurity(input: { key: Buffer; rand: string; ngKsi: number; accept: RegistrationAccept }): UeSecurity {
  const kNasInt = nasIntegrityKey(input.key, input.rand);
  const { securityHeader } = input.accept;
  if (securityHeader.ngKsi !== input.ngKsi || securityHeader.nasCount !== 0 || !verifyNasMac(kNasInt, 'downlink', input.accept)) {
    throw new NasSecurityError('the REGISTRATION ACCEPT fails its integrity check: the network did not show it knows K');
  }
  let nextUplinkCount = 0;
  let lastDownlinkCount = 0;
  return {
    protect(message) {
      const protectedMessage = protectNasMessage(message, kNasInt, 'uplink', input.ngKsi, nextUplinkCount);
      nextUplinkCount += 1;
      return protectedMessage as UplinkNasMessage;
    },
    check(answer) {
      const header = (answer as { securityHeader?: { ngKsi: number; nasCount: number } }).securityHeader;
      if (!header) {
        if (unprotectedAllowed.has(answer.messageType)) return answer;
        throw new NasSecurityError(`an unprotected ${answer.messageType} is not taken`);
      }
      if (header.ngKsi !== input.ngKsi || !verifyNasMac(kNasInt, 'downlink', answer as { securityHeader: { ngKsi: number; nasCount: number; mac: string } })) {
        throw new NasSecurityError(`the ${answer.messageType} fails its integrity check`);
      }
      if (header.nasCount <= lastDownlinkCount) throw new NasSecurityError(`the ${answer.messageType} reuses downlink NAS COUNT ${header.nasCount}: a replay`);
      lastDownlinkCount = header.nasCount;
      return answer;
    },
  };
}
