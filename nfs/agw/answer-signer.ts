/**
 * Signs discovery answers with the gateway's own key (Agent Name Service, section 2.2.2: the
 * security module signs the retrieved agent information), so a requester can check an answer
 * came from its gateway: a compact JWS (ES256) over the answer, key set at /nagw-disc/v1/jwks.
 */
import { CompactSign, type JWK } from 'jose';
import { loadOrCreateSigningKey } from '../shared/signing-key.ts';
import type { AgwStore } from './store.ts';

export interface AnswerSigner {
  /** A compact JWS whose payload is exactly the JSON text of the answer. */
  sign(answer: object): Promise<string>;
  jwks(): { keys: JWK[] };
}

export async function createAnswerSigner(store: AgwStore): Promise<AnswerSigner> {
  const key = await loadOrCreateSigningKey(store.keys, 'agw-es256-1');
  const encoder = new TextEncoder();
  return {
    sign: (answer) => new CompactSign(encoder.encode(JSON.stringify(answer))).setProtectedHeader({ alg: 'ES256', kid: key.keyId }).sign(key.privateKey),
    jwks: key.jwks,
  };
}
