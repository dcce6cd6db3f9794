/**
 * Signs discovery answers with the gateway's own key (Agent Name Service, section 2.2.2: the
 * security module signs the retrieved agent information), so a requester can check an answer
 * came from its gateway: a compact JWS (ES256) over the answer, key set at /nagw-disc/v1/jwks.
 * The key lives in the store, so a restart and every replica sign with the same key.
 */
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { DuplicateKeyError } from '../shared/store/collection.ts';
import type { AgwStore } from './store.ts';

const keyId = 'agw-es256-1';

export interface AnswerSigner {
  /** A compact JWS whose payload is exactly the JSON text of the answer. */
  sign(answer: object): Promise<string>;
  jwks(): { keys: JWK[] };
}

export async function createAnswerSigner(store: AgwStore): Promise<AnswerSigner> {
  const record = await loadOrCreateKey(store);
  const privateKey = await importJWK(record.privateJwk as JWK, 'ES256');
  const encoder = new TextEncoder();
  return {
    sign: (answer) => new CompactSign(encoder.encode(JSON.stringify(answer))).setProtectedHeader({ alg: 'ES256', kid: keyId }).sign(privateKey),
    jwks: () => ({ keys: [{ ...(record.publicJwk as JWK), kid: keyId, alg: 'ES256', use: 'sig' }] }),
  };
}

async function loadOrCreateKey(store: AgwStore) {
  const existing = await store.keys.findOne({ _id: keyId });
  if (existing) return existing;
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const record = {
    _id: keyId,
    privateJwk: (await exportJWK(privateKey)) as Record<string, unknown>,
    publicJwk: (await exportJWK(publicKey)) as Record<string, unknown>,
  };
  try {
    await store.keys.insertOne(record);
    return record;
  } catch (error) {
    if (error instanceof DuplicateKeyError) return (await store.keys.findOne({ _id: keyId }))!;
    throw error;
  }
}
