/**
 * The capability taxonomy of the management plane: versioned capability identifiers with
 * description, synonyms and parameters. Requested capabilities are resolved against it (free
 * text through the matcher), and natural-language discovery ranks against it.
 */
import { nextCounterValue } from '../shared/counters.ts';
import { DuplicateKeyError } from '../shared/store/collection.ts';
import { badRequest, conflict, notFound } from '../shared/problem.ts';
import { screenedDeclaredText } from './declared-text.ts';
import { createCapabilityMatcher, type TaxonomyEntry } from './capability-matcher.ts';
import type { AgwStore, TaxonomyDocument } from './store.ts';
import type { Capability, CapabilityDefinition } from './types.ts';

export interface CapabilityResolution {
  capabilityIds: string[];
  matches: Array<{ requested: string; capabilityId: string; score: number }>;
}

const capabilityIdPattern = /^\/capability\/[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * How often a replica asks the store whether the taxonomy changed through another replica
 * (DESIGN.md "Scale beyond one machine"): at most once per this interval, on use, without making
 * the request that asks wait. Changes made through this replica apply at once.
 */
export const TAXONOMY_CHECK_MS = 1_000;

/** Marks a seeding under way: a start that finds it finishes the seeding a stopped process began. */
const SEEDING = 'taxonomySeeding';

/**
 * The default taxonomy is written on the store's first start only, when no taxonomy version was
 * ever taken: a taxonomy the operator emptied over the API stays empty across restarts.
 */
async function seedOnce(store: AgwStore, seed: readonly TaxonomyEntry[]): Promise<void> {
  const everWritten = (await store.counters.findOne({ _id: 'taxonomyVersion' })) !== null;
  if (everWritten && !(await store.counters.findOne({ _id: SEEDING }))) return;
  await store.counters.replaceOne({ _id: SEEDING }, { _id: SEEDING, value: 1 }, { upsert: true });
  const version = await nextCounterValue(store.counters, 'taxonomyVersion');
  for (const entry of seed) {
    await store.taxonomy.replaceOne({ _id: entry.capabilityId }, { ...toDocument(entry), version }, { upsert: true });
  }
  await store.counters.findOneAndDelete({ _id: SEEDING });
}

export async function createTaxonomy(deps: { store: AgwStore; seed: readonly TaxonomyEntry[]; minMatchScore: number; now?: () => number; onReloadedChange?: () => void }) {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  await seedOnce(store, deps.seed);
  const storedVersion = async () => (await store.counters.findOne({ _id: 'taxonomyVersion' }))?.value ?? 0;
  let loadedVersion = await storedVersion();
  let documents = await store.taxonomy.find({}, { sort: { _id: 1 } });
  const matcher = createCapabilityMatcher(documents.map(toEntry));
  // Reloads are numbered: one that a later reload overtook is not applied, so a reload begun by
  // the background check can never put back what a change made here replaced.
  let reloads = 0;
  const reload = async () => {
    const mine = ++reloads;
    const version = await storedVersion();
    const loaded = await store.taxonomy.find({}, { sort: { _id: 1 } });
    if (mine !== reloads) return;
    documents = loaded;
    matcher.update(documents.map(toEntry));
    loadedVersion = version;
  };
  let checkedAt = now();
  let checking = false;
  // Every change bumps the stored taxonomyVersion counter, so one read tells whether to reload.
  const refreshSoon = () => {
    if (checking || now() - checkedAt < TAXONOMY_CHECK_MS) return;
    checking = true;
    checkedAt = now();
    storedVersion()
      .then(async (version) => {
        if (version === loadedVersion) return;
        await reload();
        deps.onReloadedChange?.();
      })
      .catch(() => undefined) // a store that cannot answer now is asked again at the next check
      .finally(() => (checking = false));
  };

  /** 409 CAPABILITY_IN_USE while agents hold the capability or rules name it (a rule would outlive it and apply again to a capability made later under the same id). */
  async function inUseRefusal(capabilityId: string) {
    const holders = await store.agents.countDocuments({ capabilityIds: capabilityId });
    if (holders) return conflict(`${capabilityId} is held by ${holders} registered agents`, 'CAPABILITY_IN_USE');
    const rules = await store.policies.find({ capabilityId });
    if (rules.length) return conflict(`${capabilityId} is named by policy rules ${rules.map((rule) => rule._id).join(', ')}; delete them first`, 'CAPABILITY_IN_USE');
    return undefined;
  }

  return {
    async getTaxonomy(): Promise<{ version: number; capabilities: Capability[] }> {
      refreshSoon();
      return { version: loadedVersion, capabilities: documents.map(toCapability) };
    },

    async getCapability(name: string): Promise<Capability> {
      refreshSoon();
      const document = documents.find((candidate) => candidate._id === `/capability/${name}`);
      if (!document) throw notFound(`/capability/${name} is not in the taxonomy`, 'UNKNOWN_CAPABILITY');
      return toCapability(document);
    },

    async putCapability(name: string, definition: CapabilityDefinition): Promise<{ created: boolean; capability: Capability }> {
      const names = (definition.parameters ?? []).map((parameter) => parameter.name);
      const repeated = names.findIndex((parameterName, index) => names.indexOf(parameterName) !== index);
      if (repeated >= 0) {
        throw badRequest(`parameter ${names[repeated]} is defined twice`, [{ param: `/parameters/${repeated}/name`, reason: 'a parameter name is defined once' }]);
      }
      const version = await nextCounterValue(store.counters, 'taxonomyVersion');
      const document: TaxonomyDocument = { _id: `/capability/${name}`, synonyms: [], ...definition, version };
      const { upserted } = await store.taxonomy.replaceOne({ _id: document._id }, document, { upsert: true });
      await reload();
      return { created: upserted, capability: toCapability(document) };
    },

    async deleteCapability(name: string): Promise<void> {
      const capabilityId = `/capability/${name}`;
      const inUse = await inUseRefusal(capabilityId);
      if (inUse) throw inUse;
      const deleted = await store.taxonomy.findOneAndDelete({ _id: capabilityId });
      if (!deleted) throw notFound(`${capabilityId} is not in the taxonomy`, 'UNKNOWN_CAPABILITY');
      // A registration, an update or a rule that found the capability before this deletion may
      // have been stored since. Asked again after the write (as they ask after theirs, missingNow),
      // of a deletion and a write that cross, one sees the other: here the capability is restored.
      const takenMeanwhile = await inUseRefusal(capabilityId);
      if (takenMeanwhile) {
        await store.taxonomy.insertOne(deleted).catch((error: unknown) => {
          if (!(error instanceof DuplicateKeyError)) throw error; // made again meanwhile: it is there
        });
        // A reload while it was away (here or at a replica) left it out: the version tells them to load again.
        await nextCounterValue(store.counters, 'taxonomyVersion');
        await reload();
        throw takenMeanwhile;
      }
      await nextCounterValue(store.counters, 'taxonomyVersion');
      await reload();
    },

    /**
     * The ids among these that the store's taxonomy lacks now, deleted since they were resolved.
     * What stores an agent's or a rule's capability ids asks after its write (deleteCapability
     * asks after its own), and undoes the write for any it names.
     */
    async missingNow(capabilityIds: readonly string[]): Promise<string[]> {
      const ids = [...new Set(capabilityIds)];
      if (!ids.length || (await store.taxonomy.countDocuments({ _id: { $in: ids } })) === ids.length) return [];
      const missing: string[] = [];
      for (const id of ids) if (!(await store.taxonomy.findOne({ _id: id }, { fields: ['name'] }))) missing.push(id);
      return missing;
    },

    /** The taxonomy version a capability entry last changed in (for the ACS). */
    versionOf(capabilityId: string): number {
      return documents.find((document) => document._id === capabilityId)?.version ?? 0;
    },

    has(capabilityId: string): boolean {
      refreshSoon();
      return documents.some((document) => document._id === capabilityId);
    },

    /** has(), asking the store when this replica's copy lacks it: added through another replica just now, say. */
    async knows(capabilityId: string): Promise<boolean> {
      refreshSoon();
      return documents.some((document) => document._id === capabilityId) || (await store.taxonomy.findOne({ _id: capabilityId }, { fields: ['name'] })) !== null;
    },

    /**
     * Taxonomy ids are taken as they are; free text is mapped onto the best match, or refused
     * naming the text. Free text is screened first, as a name or description is (declared-text.ts),
     * and what is matched and answered is the text as screened.
     */
    resolveRequested(requested: string[]): CapabilityResolution {
      refreshSoon();
      const ids = new Set<string>();
      const matches: CapabilityResolution['matches'] = [];
      requested.forEach((text, index) => {
        if (capabilityIdPattern.test(text)) {
          if (!documents.some((document) => document._id === text)) {
            throw badRequest(`${text} is not in the taxonomy`, [{ param: `/requestedCapabilities/${index}`, reason: 'unknown capability id' }], 'UNKNOWN_CAPABILITY');
          }
          ids.add(text);
          return;
        }
        const param = `/requestedCapabilities/${index}`;
        const screened = screenedDeclaredText(param, text);
        const [best] = matcher.match(screened, { limit: 1, minScore: deps.minMatchScore });
        if (!best) {
          throw badRequest(`"${screened}" matches no capability of the taxonomy`, [{ param, reason: 'matches no capability' }], 'UNKNOWN_CAPABILITY');
        }
        ids.add(best.capabilityId);
        matches.push({ requested: screened, capabilityId: best.capabilityId, score: best.score });
      });
      return { capabilityIds: [...ids], matches };
    },

    match: (text: string, limit: number) => {
      refreshSoon();
      return matcher.match(text, { limit, minScore: deps.minMatchScore });
    },
  };
}

export type Taxonomy = Awaited<ReturnType<typeof createTaxonomy>>;

function toDocument(entry: TaxonomyEntry): Omit<TaxonomyDocument, 'version'> {
  return { _id: entry.capabilityId, name: entry.name, description: entry.description, synonyms: entry.synonyms };
}

function toEntry(document: TaxonomyDocument): TaxonomyEntry {
  return { capabilityId: document._id, name: document.name, description: document.description, synonyms: document.synonyms, version: document.version };
}

function toCapability({ _id, ...rest }: TaxonomyDocument): Capability {
  return { capabilityId: _id, ...rest } as Capability;
}
