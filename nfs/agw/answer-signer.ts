/**
 * Signs discovery answers with the gateway's own key (Agent Name Service, section 2.2.2: the
 * security module signs the retrieved agent information), so a requester can check an answer
 * came from its gateway: a compact JWS (ES256) over the answer, key set at /nagw-disc/v1/jwks.
 * The JWS is assembled here (RFC 7515 section 7.1; ES256 is RFC 7518 section 3.4: the raw R||S
 * signature) and signed with node:crypto synchronously: every uncached answer is signed, and the
 * WebCrypto round trip of a library signer costs more than the signature. Verifiers use jose.
 */
import { KeyObject, sign } from 'node:crypto';
import type { JWK } from 'jose';
import { loadOrCreateSigningKey } from '../shared/signing-key.ts';
import type { AgwStore } from './store.ts';

export interface AnswerSigner {
  /** A compact JWS whose payload is exactly the JSON text of the answer. */
  sign(answer: object): Promise<string>;
  jwks(): { keys: JWK[] };
}

export async function createAnswerSigner(store: AgwStore): Promise<AnswerSigner> {
  const key = await loadOrCreateSigningKey(store.keys, 'agw-es256-1');
  const privateKey = KeyObject.from(key.privateKey);
  const protectedHeader = base64url(JSON.stringify({ alg: 'ES256', kid: key.keyId }));
  return {
    async sign(answer) {
      const signingInput = `${protectedHeader}.${base64url(JSON.stringify(answer))}`;
      const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${signingInput}.${signature.toString('base64url')}`;
    },
    jwks: key.jwks,
  };
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
