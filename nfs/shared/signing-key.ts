/**
 * An NF's ES256 signing key (NRF access tokens, AGW discovery answers), kept in the store so a
 * restart and every replica sign with the same key, and published as a JWKS for verifiers.
 */
import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { DuplicateKeyError, type Collection } from './store/collection.ts';

export interface SigningKeyDocument {
  _id: string;
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: string;
}

export interface SigningKey {
  keyId: string;
  privateKey: CryptoKey;
  /** RFC 7517 key set with the public key, for GET .../jwks. */
  jwks(): { keys: JWK[] };
}

export async function loadOrCreateSigningKey(keys: Collection<SigningKeyDocument>, keyId: string): Promise<SigningKey> {
  const document = (await keys.findOne({ _id: keyId })) ?? (await createKey(keys, keyId));
  const privateKey = (await importJWK(document.privateJwk as JWK, 'ES256')) as CryptoKey;
  return {
    keyId,
    privateKey,
    jwks: () => ({ keys: [{ ...(document.publicJwk as JWK), kid: keyId, alg: 'ES256', use: 'sig' }] }),
  };
}

async function createKey(keys: Collection<SigningKeyDocument>, keyId: string): Promise<SigningKeyDocument> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const document: SigningKeyDocument = {
    _id: keyId,
    privateJwk: (await exportJWK(privateKey)) as Record<string, unknown>,
    publicJwk: (await exportJWK(publicKey)) as Record<string, unknown>,
    createdAt: new Date().toISOString(),
  };
  try {
    await keys.insertOne(document);
    return document;
  } catch (error) {
    // Another replica created it first: use theirs, so every signature verifies against one key.
    if (error instanceof DuplicateKeyError) return (await keys.findOne({ _id: keyId }))!;
    throw error;
  }
}
