/**
 * Subscriber keys and NAS security of the emulated N1 (openapi/namf-nas.yaml), written once for
 * both ends: the AMF and the UE simulator derive the same keys and MACs from here.
 *
 * - K, the subscriber key, is HMAC-SHA-256(masterSecret, SUPI): one secret provisions every
 *   emulated USIM, so 100,000 subscribers need no key table. The demonstration master secret is
 *   public by design; a testbed configures its own on both ends.
 * - RES = HMAC-SHA-256(K, RAND), in place of 5G AKA's RES* (TS 33.501 clause 6.1.3.2).
 * - K_NASint = HMAC-SHA-256(K, "dmsc-nas-int" || RAND): an HMAC-based KDF in the manner of
 *   TS 33.220 Annex B.2, one key per authentication, as K_AMF and K_NASint are (TS 33.501
 *   clause 6.2 and Annex A.8).
 * - The MAC of a message covers its direction and its RFC 8785 canonical JSON without
 *   securityHeader.mac, i.e. including the NAS COUNT, so a message can neither be altered nor be
 *   replayed (TS 33.501 clause 6.4.3.1: NAS integrity with COUNT and DIRECTION).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Public by design: the emulator's demonstration subscribers. */
export const demoMasterSecret = 'dmsc-core-demo-subscriber-master-secret';

export type NasDirection = 'uplink' | 'downlink';

export interface SecurityHeader {
  ngKsi: number;
  nasCount: number;
  mac: string;
}

/** The subscriber key K of one SUPI. */
export function subscriberKey(masterSecret: string, supi: string): Buffer {
  return createHmac('sha256', masterSecret).update(supi).digest();
}

/** RES for a RAND (hex), as lowercase hex. */
export function authenticationResponse(key: Buffer, randHex: string): string {
  return createHmac('sha256', key).update(Buffer.from(randHex, 'hex')).digest('hex');
}

/** True when res (hex, any case) is the RES of this K and RAND; constant time. */
export function checkAuthenticationResponse(key: Buffer, randHex: string, res: string): boolean {
  const expected = Buffer.from(authenticationResponse(key, randHex), 'hex');
  const given = Buffer.from(res, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** K_NASint of the security context that an authentication with this RAND establishes. */
export function nasIntegrityKey(key: Buffer, randHex: string): Buffer {
  return createHmac('sha256', key).update('dmsc-nas-int').update(Buffer.from(randHex, 'hex')).digest();
}

/** The MAC of a message (its securityHeader.mac, if any, left out), base64url. */
export function nasMac(kNasInt: Buffer, direction: NasDirection, message: object): string {
  const { securityHeader, ...rest } = message as { securityHeader?: Partial<SecurityHeader> };
  const covered = securityHeader ? { ...rest, securityHeader: { ngKsi: securityHeader.ngKsi, nasCount: securityHeader.nasCount } } : rest;
  return createHmac('sha256', kNasInt)
    .update(direction === 'uplink' ? '0.' : '1.')
    .update(canonicalJson(covered))
    .digest('base64url');
}

/** The message with a securityHeader for this NAS COUNT and its MAC. */
export function protectNasMessage<T extends object>(message: T, kNasInt: Buffer, direction: NasDirection, ngKsi: number, nasCount: number): T & { securityHeader: SecurityHeader } {
  const unprotected = { ...message, securityHeader: { ngKsi, nasCount, mac: '' } };
  unprotected.securityHeader.mac = nasMac(kNasInt, direction, unprotected);
  return unprotected;
}

/** True when the message's securityHeader.mac is the MAC of the message; constant time. */
export function verifyNasMac(kNasInt: Buffer, direction: NasDirection, message: { securityHeader?: SecurityHeader }): boolean {
  const given = Buffer.from(message.securityHeader?.mac ?? '', 'base64url');
  const expected = Buffer.from(nasMac(kNasInt, direction, message), 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * RFC 8785 (JCS) for what JSON.parse yields: members sorted by UTF-16 code units, numbers and
 * strings as ECMAScript's JSON.stringify writes them (which is what RFC 8785 prescribes).
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const members = Object.keys(record)
    .filter((name) => record[name] !== undefined)
    .sort()
    .map((name) => `${JSON.stringify(name)}:${canonicalJson(record[name])}`);
  return `{${members.join(',')}}`;
}
