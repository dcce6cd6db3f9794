/**
 * Signs discovery answers with the gateway's own key (Agent Name Service, section 2.2.2: the
 * security module signs the retrieved agent information), so a requester can check an answer
 * came from its gateway: a compact JWS (ES256) over the answer, key set at /nagw-disc/v1/jwks.
 * The JWS is assembled here (RFC 7515 section 7.1; ES256 is RFC 7518 section 3.4: the raw R||S
 * signature) and signed with node:crypto synchronously: every uncached answer is signed, and the
 * WebCrypto round trip of a library signer costs more than the signature. Verifiers use jose.
 */
import { createSign, KeyObject, sign } from 'node:crypto';
import type { JWK } from 'jose';
import { loadOrCreateSigningKey } from '../shared/signing-key.ts';
import type { AgwStore } from './store.ts';

export interface AnswerSigner {
  /** A compact JWS whose payload is exactly the JSON text of the answer; `typ` in its header when given. */
  sign(answer: object, typ?: string): Promise<string>;
  /**
   * The UTF-8 JSON of `answer` (an object with members) with the JWS of that same text added as
   * a last member, `signature`: the bytes `{ ...answer, signature: await sign(answer) }` encodes
   * to, with the answer encoded once and written straight into one buffer. A discovery answer is
   * several kilobytes and its JWS carries it again: encoding it twice, then copying the whole
   * text into a buffer, was most of what an uncached discovery allocated.
   */
  signedJson(answer: object): Buffer;
  jwks(): { keys: JWK[] };
}

export async function createAnswerSigner(store: AgwStore): Promise<AnswerSigner> {
  const key = await loadOrCreateSigningKey(store.keys, 'agw-es256-1');
  const privateKey = KeyObject.from(key.privateKey);
  const protectedHeader = base64url(JSON.stringify({ alg: 'ES256', kid: key.keyId }));
  return {
    async sign(answer, typ) {
      const header = typ ? base64url(JSON.stringify({ alg: 'ES256', kid: key.keyId, typ })) : protectedHeader;
      const signingInput = `${header}.${base64url(JSON.stringify(answer))}`;
      const signature = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${signingInput}.${signature.toString('base64url')}`;
    },
    signedJson(answer) {
      const json = Buffer.from(JSON.stringify(answer), 'utf8');
      if (json.length < 3 || json[json.length - 1] !== 0x7d) throw new TypeError('signedJson needs an object with members');
      const payload = json.toString('base64url');
      const signature = createSign('sha256').update(protectedHeader).update('.').update(payload).sign({ key: privateKey, dsaEncoding: 'ieee-p1363' });
      // The payload and signature are base64url, so one byte per character.
      const tail = `,"signature":"${protectedHeader}.`;
      const end = `.${signature.toString('base64url')}"}`;
      const body = Buffer.allocUnsafe(json.length - 1 + tail.length + payload.length + end.length);
      let at = json.copy(body, 0, 0, json.length - 1);
      at += body.write(tail, at, 'latin1');
      at += body.write(payload, at, 'latin1');
      body.write(end, at, 'latin1');
      return body;
    },
    jwks: key.jwks,
  };
}

const base64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
