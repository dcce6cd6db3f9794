/**
 * Nnrf_NFManagement procedures (TS 29.510 clause 5.2.2): NFRegister, NFUpdate (JSON Patch, of
 * which the heartbeat is a case), NFDeregister, profile and list retrieval, and the NRF side of
 * heartbeat supervision (clause 5.2.2.3.2): an overdue NF becomes SUSPENDED and leaves discovery.
 */
import fastJsonPatch from 'fast-json-patch';
import { badRequest, notFound } from '../shared/problem.ts';
import type { SchemaCheck } from '../shared/schema-validator.ts';
import { profileOf, toProfileRecord, type NrfStore } from './store.ts';
import type { NrfSettings } from './settings.ts';
import type { NFProfile, NotificationEventType, PatchItem } from './types.ts';

const { applyPatch, JsonPatchError } = fastJsonPatch;

/** Paths a heartbeat may touch (TS 29.510 clause 5.2.2.3.2): status and load only. */
const heartbeatPaths = new Set(['/nfStatus', '/load', '/loadTimeStamp']);

export type StatusEventSink = (event: NotificationEventType, nfInstanceId: string, profile?: NFProfile) => Promise<void>;

export interface NfManagementDeps {
  store: NrfStore;
  settings: NrfSettings;
  checkProfile: SchemaCheck;
  onStatusEvent: StatusEventSink;
  now: () => number;
}

export function createNfManagement(deps: NfManagementDeps) {
  const { store, settings, now } = deps;

  const deadlineFor = (profile: NFProfile) => now() + (profile.heartBeatTimer ?? settings.defaultHeartBeatTimer) * 1000 + settings.heartbeatGraceMs;

  return {
    /** NFRegister: 201 when created, 200 when it replaces (clause 5.2.2.2.2). */
    async registerNFInstance(nfInstanceId: string, sent: NFProfile): Promise<{ created: boolean; profile: NFProfile }> {
      if (sent.nfInstanceId !== nfInstanceId) {
        throw badRequest('nfInstanceId in the body differs from the one in the URI', [
          { param: '/nfInstanceId', reason: `must equal the URI's nfInstanceID ${nfInstanceId}` },
        ]);
      }
      requireAddress(sent);
      const profile: NFProfile = { ...sent, heartBeatTimer: sent.heartBeatTimer ?? settings.defaultHeartBeatTimer };
      const { upserted } = await store.profiles.replaceOne({ _id: nfInstanceId }, toProfileRecord(profile, deadlineFor(profile)), { upsert: true });
      await deps.onStatusEvent(upserted ? 'NF_REGISTERED' : 'NF_PROFILE_CHANGED', nfInstanceId, profile);
      return { created: upserted, profile };
    },

    /** NFUpdate by JSON Patch (clause 5.2.2.3.1); a patch of status and load alone is a heartbeat (clause 5.2.2.3.2). */
    async updateNFInstance(nfInstanceId: string, patch: PatchItem[]): Promise<{ heartbeat: boolean; profile: NFProfile }> {
      const record = await store.profiles.findOne({ _id: nfInstanceId });
      if (!record) throw notFound(`NF instance ${nfInstanceId} is not registered`);
      const stored = profileOf(record);
      const updated = applyJsonPatch(stored, patch);
      if (updated.nfInstanceId !== nfInstanceId) {
        throw badRequest('a patch may not change nfInstanceId', [{ param: '/nfInstanceId', reason: 'read-only' }]);
      }
      requireAddress(updated);
      const problems = deps.checkProfile(updated);
      if (problems.length) throw badRequest('the patched profile is not a valid NFProfile', problems);
      await store.profiles.replaceOne({ _id: nfInstanceId }, toProfileRecord(updated, deadlineFor(updated)));
      const heartbeat = patch.every((op) => heartbeatPaths.has(op.path));
      const statusChanged = stored.nfStatus !== updated.nfStatus;
      if (!heartbeat || statusChanged) await deps.onStatusEvent('NF_PROFILE_CHANGED', nfInstanceId, updated);
      return { heartbeat, profile: updated };
    },

    /** NFDeregister (clause 5.2.2.4). */
    async deregisterNFInstance(nfInstanceId: string): Promise<void> {
      const removed = await store.profiles.findOneAndDelete({ _id: nfInstanceId });
      if (!removed) throw notFound(`NF instance ${nfInstanceId} is not registered`);
      await deps.onStatusEvent('NF_DEREGISTERED', nfInstanceId, profileOf(removed));
    },

    /** NFProfileRetrieval (clause 5.2.2.7). */
    async getNFInstance(nfInstanceId: string): Promise<NFProfile> {
      const record = await store.profiles.findOne({ _id: nfInstanceId });
      if (!record) throw notFound(`NF instance ${nfInstanceId} is not registered`);
      return profileOf(record);
    },

    /** NFListRetrieval (clause 5.2.2.6): the ids of registered instances, optionally of one type. */
    async listNFInstances(query: { nfType?: string; limit?: number }): Promise<{ ids: string[]; total: number }> {
      const filter = query.nfType ? { nfType: query.nfType } : {};
      const [records, total] = await Promise.all([
        store.profiles.find(filter, { limit: query.limit, sort: { _id: 1 } }),
        store.profiles.countDocuments(filter),
      ]);
      return { ids: records.map((record) => record._id), total };
    },

    /**
     * Heartbeat supervision (clause 5.2.2.3.2): every REGISTERED profile whose deadline has passed
     * becomes SUSPENDED, which removes it from discovery, and subscribers are told. Returns the ids.
     */
    async suspendOverdueInstances(): Promise<string[]> {
      const overdue = await store.profiles.find({ nfStatus: 'REGISTERED', heartbeatDeadline: { $lt: now() } });
      const suspended: string[] = [];
      for (const record of overdue) {
        const profile: NFProfile = { ...profileOf(record), nfStatus: 'SUSPENDED' };
        // Guarded by the same condition, so a heartbeat or update that lands meanwhile wins.
        const updated = await store.profiles.findOneAndUpdate(
          { _id: record._id, nfStatus: 'REGISTERED', heartbeatDeadline: { $lt: now() } },
          { $set: { nfStatus: 'SUSPENDED', profileJson: JSON.stringify(profile) } },
        );
        if (!updated) continue;
        suspended.push(record._id);
        await deps.onStatusEvent('NF_PROFILE_CHANGED', record._id, profile);
      }
      return suspended;
    },
  };
}

export type NfManagement = ReturnType<typeof createNfManagement>;

/** TS 29.510 clause 6.1.6.2.2: a profile must say where the NF is. */
function requireAddress(profile: NFProfile): void {
  if (profile.fqdn || profile.ipv4Addresses?.length || profile.ipv6Addresses?.length) return;
  throw badRequest('an NFProfile needs fqdn, ipv4Addresses or ipv6Addresses (TS 29.510 clause 6.1.6.2.2)', [
    { param: '/ipv4Addresses', reason: 'one of fqdn, ipv4Addresses, ipv6Addresses is required' },
  ]);
}

/**
 * RFC 6902 on a copy. Every failure of the patch is the client's: an operation that cannot be
 * applied (400 naming its index), a path into __proto__ (refused by fast-json-patch), or a patch
 * that leaves something other than an object.
 */
function applyJsonPatch(profile: NFProfile, patch: PatchItem[]): NFProfile {
  let result: unknown;
  try {
    result = applyPatch(structuredClone(profile), patch as fastJsonPatch.Operation[], true, false).newDocument;
  } catch (error) {
    const index = error instanceof JsonPatchError ? (error.index ?? 0) : undefined;
    const reason = (error as Error).message.split('\n')[0];
    throw badRequest(
      index === undefined ? `the JSON Patch cannot be applied: ${reason}` : `JSON Patch operation ${index} cannot be applied: ${reason}`,
      [{ param: index === undefined ? '/' : `/${index}`, reason }],
    );
  }
  if (typeof result !== 'object' || result === null || Array.isArray(result)) {
    throw badRequest('the JSON Patch must leave an NFProfile object', [{ param: '/', reason: 'the patched document is not an object' }]);
  }
  return result as NFProfile;
}
