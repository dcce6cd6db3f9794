/**
 * AIC allocation (MACP section 5.1: the gateway assigns the AIC only after authorization).
 * Level 8, the ontology serial, names the kind of agent (provider, name, major version); level 9,
 * the entity serial, the instance (ACPs-spec-AIC v02.02 section 3). Serials come from counters in
 * the store, so replicas never hand out the same AIC and a serial is never reused.
 */
import { formatAic, toBase36, type AicScheme } from '../shared/aic.ts';
import { nextCounterValue } from '../shared/counters.ts';
import { DuplicateKeyError } from '../shared/store/collection.ts';
import type { AgwStore } from './store.ts';

export async function allocateAic(
  deps: { store: AgwStore; scheme: AicScheme },
  agent: { providerIndex: string; name: string; version: string },
): Promise<{ aic: string; ontologyAic: string }> {
  const major = agent.version.split('.')[0];
  const ontologyKey = `${agent.providerIndex}:${agent.name.toLowerCase()}:${major}`;
  let ontology = await deps.store.ontologies.findOne({ _id: ontologyKey });
  if (!ontology) {
    const serial = toBase36(await nextCounterValue(deps.store.counters, `ontology:${agent.providerIndex}`));
    try {
      await deps.store.ontologies.insertOne({ _id: ontologyKey, ontologySerial: serial });
    } catch (error) {
      if (!(error instanceof DuplicateKeyError)) throw error;
    }
    ontology = (await deps.store.ontologies.findOne({ _id: ontologyKey }))!;
  }
  const entitySerial = toBase36(await nextCounterValue(deps.store.counters, `entity:${ontologyKey}`));
  const parts = { providerIndex: agent.providerIndex, ontologySerial: ontology.ontologySerial };
  return {
    aic: formatAic(deps.scheme, { ...parts, entitySerial }),
    ontologyAic: formatAic(deps.scheme, { ...parts, entitySerial: '0' }),
  };
}
