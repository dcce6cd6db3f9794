/**
 * The AMF's half of NAS security (TS 24.501 clause 4.4; TS 33.501 clause 6.4): a protected
 * uplink message is processed only once its UE context is found by 5G-GUTI, its MAC verifies
 * under that context's K_NASint and its uplink NAS COUNT is above every count accepted before.
 * The new count is stored in the same write as the procedure's own changes, so a replay racing
 * the original loses; downlink messages take the next downlink NAS COUNT.
 */
import { ProblemError } from '../shared/problem.ts';
import type { Update } from '../shared/store/collection.ts';
import { nasIntegrityKey, protectNasMessage, verifyNasMac } from '../shared/ue-keys.ts';
import type { AmfStore, UeContextDocument } from './store.ts';
import type { SubscriberDirectory } from './subscribers.ts';
import type { ProtectedUplinkMessage } from './types.ts';

export type UplinkVerdict =
  | { kind: 'unknown' }
  | { kind: 'deregistered'; context: UeContextDocument }
  | { kind: 'accepted'; context: UeContextDocument; previous: UeContextDocument; downlink: DownlinkProtector };

/** Protects downlink messages of one accepted uplink message with the NAS COUNT reserved for it. */
export type DownlinkProtector = <T extends object>(message: T) => T & { securityHeader: { ngKsi: number; nasCount: number; mac: string } };

/** 403: TS 24.501 clause 4.4.4.3, the AMF discards the message; there is no NAS answer to give. */
const discarded = (detail: string, cause: string) => new ProblemError(403, `${detail}: the message is discarded (TS 24.501 clause 4.4.4.3)`, { cause });

export function createSecurityContexts(deps: { store: AmfStore; subscribers: SubscriberDirectory }) {
  const { store, subscribers } = deps;

  return {
    /**
     * Checks a protected uplink message; when it is accepted, applies changes(context) together
     * with the new NAS COUNTs and returns the context as updated.
     */
    async acceptUplink(message: ProtectedUplinkMessage, changes: (context: UeContextDocument) => Update = () => ({})): Promise<UplinkVerdict> {
      const context = await store.ueContexts.findOne({ guti: message.guti });
      if (!context) return { kind: 'unknown' };
      const subscriber = subscribers.lookup(context.supi);
      if (context.rmState !== 'RM-REGISTERED' || !context.security || !subscriber) return { kind: 'deregistered', context };
      const { security } = context;
      const header = message.securityHeader;
      if (header.ngKsi !== security.ngKsi) throw discarded(`ngKSI ${header.ngKsi} does not name the UE's security context`, 'INTEGRITY_CHECK_FAILED');
      const kNasInt = nasIntegrityKey(subscriber.key, security.rand);
      if (!verifyNasMac(kNasInt, 'uplink', message)) throw discarded('the NAS message failed its integrity check', 'INTEGRITY_CHECK_FAILED');
      if (header.nasCount <= security.ulCount) {
        throw discarded(`uplink NAS COUNT ${header.nasCount} is not above ${security.ulCount}, the last one accepted: a replay`, 'NAS_COUNT_REPLAYED');
      }
      const update = changes(context);
      const updated = await store.ueContexts.findOneAndUpdate(
        { _id: context._id, guti: context.guti, 'security.ulCount': { $lt: header.nasCount } },
        { ...update, $set: { ...update.$set, 'security.ulCount': header.nasCount }, $inc: { ...update.$inc, 'security.dlCount': 1 } },
      );
      if (!updated) throw discarded(`uplink NAS COUNT ${header.nasCount} was taken by another message, or the security context changed`, 'NAS_COUNT_REPLAYED');
      // The count this message reserved: the stored one before the increment.
      const dlCount = (updated.security?.dlCount ?? security.dlCount + 1) - 1;
      return { kind: 'accepted', context: updated, previous: context, downlink: (downlinkMessage) => protectNasMessage(downlinkMessage, kNasInt, 'downlink', security.ngKsi, dlCount) };
    },
  };
}

export type SecurityContexts = ReturnType<typeof createSecurityContexts>;
