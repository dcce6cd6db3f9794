/**
 * An NF keeps its NF instance ID across restarts on a persistent store. The NF instance ID names the
 * NF instance at the NRF (TS 29.510 clause 6.1.6.2.2, NFProfile.nfInstanceId); registering again
 * under the same ID after a restart replaces the profile (NFRegister is a PUT, clause 5.2.2.2),
 * where a fresh ID would leave the previous run's profile beside the new one, pointing at an
 * address nothing answers any more, until its heartbeats were missed.
 *
 * The ID is kept per NF name and configured address (advertised host and the port asked for, 0
 * included), so that two instances of one NF sharing a store (two capability-agents containers on
 * one MongoDB, each with its own ADVERTISE_HOST, or two processes on two ports) keep two IDs.
 */
import { randomUUID } from 'node:crypto';
import { DuplicateKeyError, type Store } from './store/collection.ts';

interface NfInstanceIdDocument {
  _id: string;
  nfInstanceId: string;
}

export async function persistedNfInstanceId(store: Store, nfName: string, configuredAddress: string): Promise<string> {
  const ids = store.collection<NfInstanceIdDocument>('nf.instance-ids');
  const key = `${nfName}@${configuredAddress}`;
  const existing = await ids.findOne({ _id: key });
  if (existing) return existing.nfInstanceId;
  const created = { _id: key, nfInstanceId: randomUUID() };
  try {
    await ids.insertOne(created);
    return created.nfInstanceId;
  } catch (error) {
    // Another instance with this name and host took the key first: share its ID, as a restart would.
    if (!(error instanceof DuplicateKeyError)) throw error;
    return (await ids.findOne({ _id: key }))!.nfInstanceId;
  }
}
