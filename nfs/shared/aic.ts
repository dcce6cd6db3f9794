/**
 * Agent Identity Code (AIC) per ACPs-spec-AIC v02.02 (BUPT "Agent Collaboration Protocols").
 * The DMSC drafts define the AIC only as a concept (draft-li-dmsc-macp-02 §3, §4.5); the layout,
 * the CRC-16 checksum and the Base36 rendering all come from that spec, §3 and §4.
 *
 * Layout (AIC §3), ten levels joined by '.', each made of 0-9 and A-Z, case-insensitive:
 *   1-4 prefix (OID arcs, e.g. 1.2.156.3088) . 5 AIC version . 6 ARSP index . 7 agent provider index
 *   . 8 agent ontology serial . 9 agent entity serial (0 = the ontology itself) . 10 checksum
 * Only levels 1-4 are OID arcs: levels 5-10 may contain letters, so an AIC is not an ASN.1 OID.
 *
 * Salt (AIC §4.1(2)): the spec has each ARSP keep a salt of at least 2 bytes "internally". We make
 * it a per-ARSP configuration value that the gateway publishes with its prefix and ARSP index, so
 * that any party can verify a checksum before a lookup. The checksum therefore catches typos; it
 * is not a security control: an AIC is proven by the X.509 credential that carries it.
 */

export interface AicScheme {
  /** Levels 1-4, e.g. '1.2.156.3088'. */
  prefix: string;
  /** Level 5, one character 1-Z. */
  version: string;
  /** Level 6, the Agent Registration Service Provider index: our operator domain. */
  arspIndex: string;
  /** The ARSP's salt in hex, at least 2 bytes; '1234' reproduces the spec's examples. */
  saltHex: string;
}

export const defaultAicScheme: AicScheme = Object.freeze({
  prefix: '1.2.156.3088',
  version: '1',
  arspIndex: '2',
  saltHex: '1234',
});

export interface ParsedAic {
  /** The whole AIC in canonical (upper-case) form: the identity key. */
  text: string;
  prefix: string;
  version: string;
  arspIndex: string;
  providerIndex: string;
  ontologySerial: string;
  entitySerial: string;
  checksum: string;
  /** True when the entity serial is the ontology marker '0' (AIC §3(9)). */
  isOntology: boolean;
}

export type AicParseResult =
  | { ok: true; aic: ParsedAic }
  | { ok: false; reason: string; cause: 'AIC_SYNTAX' | 'AIC_RANGE' | 'AIC_CHECKSUM' };

/** CRC-16/CCITT-FALSE (AIC §4.1(3)-(6)): poly 0x1021, init 0xFFFF, MSB first, no reflection, xorout 0. */
export function crc16CcittFalse(bytes: Uint8Array): number {
  let crc = 0xffff;
  for (const byte of bytes) crc = crc16Step(crc, byte);
  return crc;
}

function crc16Step(crc: number, byte: number): number {
  crc ^= byte << 8;
  for (let bit = 0; bit < 8; bit++) crc = (crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1) & 0xffff;
  return crc;
}

/** Base36 with digits 0-9A-Z, upper case, no padding; for allocating serials from counters. */
export function toBase36(n: number | bigint): string {
  if (typeof n === 'number' ? !Number.isSafeInteger(n) || n < 0 : n < 0n) {
    throw new RangeError(`toBase36 needs a non-negative integer, got ${n}`);
  }
  return n.toString(36).toUpperCase();
}

/**
 * Level 10 (AIC §4.1(1)-(8)): CRC over the upper-cased data code (levels 1-9 with the dots between
 * them, not the dot before level 10) as ASCII, followed by the salt bytes; rendered in Base36,
 * left-padded with '0' to 4 characters.
 */
export function aicChecksum(dataCode: string, saltHex: string): string {
  const salt = saltBytes(saltHex);
  // Checked before upper-casing: Unicode maps some letters to ASCII ones ('ß' -> 'SS', 'ı' -> 'I').
  if (!/^[\x20-\x7e]*$/.test(dataCode)) throw new RangeError('the AIC data code must be printable ASCII');
  const text = dataCode.toUpperCase();
  // The CRC of the text's bytes followed by the salt's, without a buffer of both: every AIC a
  // request names is checked, several times a request on discovery's hot path.
  let crc = 0xffff;
  for (let i = 0; i < text.length; i++) crc = crc16Step(crc, text.charCodeAt(i));
  for (const byte of salt) crc = crc16Step(crc, byte);
  return toBase36(crc).padStart(4, '0');
}

/**
 * Builds the AIC of one entity (or of an ontology, with entitySerial '0'). Serials are emitted at
 * minimal width, without leading zeros, so that each allocated value has one spelling.
 */
export function formatAic(
  scheme: AicScheme,
  parts: { providerIndex: string; ontologySerial: string; entitySerial: string },
): string {
  if (!/^(0|[1-9]\d*)(\.(0|[1-9]\d*)){3}$/.test(scheme.prefix)) {
    throw new RangeError(`AIC prefix ${JSON.stringify(scheme.prefix)} must be four numeric OID arcs, e.g. 1.2.156.3088`);
  }
  const fields: Array<[string, string, number, boolean]> = [
    ['AIC version', scheme.version, 1, false],
    ['ARSP index', scheme.arspIndex, 6, false],
    ['agent provider index', parts.providerIndex, 6, false],
    ['agent ontology serial', parts.ontologySerial, 9, false],
    ['agent entity serial', parts.entitySerial, 9, true],
  ];
  const values = fields.map(([name, raw, max, zeroAllowed]) => {
    if (!new RegExp(`^[0-9A-Za-z]{1,${max}}$`).test(raw)) {
      throw new RangeError(`${name} ${JSON.stringify(raw)} must be 1 to ${max} characters of 0-9 and A-Z`);
    }
    const value = raw.toUpperCase();
    if (value === '0' && !zeroAllowed) throw new RangeError(`${name} must not be 0 (its range starts at 1)`);
    if (value.length > 1 && value.startsWith('0')) {
      throw new RangeError(`${name} ${JSON.stringify(raw)} has a leading zero; emit serials at minimal width`);
    }
    return value;
  });
  const dataCode = [scheme.prefix, ...values].join('.');
  return `${dataCode}.${aicChecksum(dataCode, scheme.saltHex)}`;
}

const levelNames = [
  'prefix', 'prefix', 'prefix', 'prefix', 'AIC version', 'ARSP index',
  'agent provider index', 'agent ontology serial', 'agent entity serial', 'checksum',
];
/** Longest spelling per level (AIC §3(5)-(10)); levels 1-4 are compared with the prefix instead. */
const maxLengths = [Infinity, Infinity, Infinity, Infinity, 1, 6, 6, 9, 9, 4];

/**
 * Checks an AIC in three steps: syntax (ten levels, 0-9A-Z, lengths, prefix), ranges (AIC §3(5)-(10)),
 * then the checksum (AIC §4.2). Input is case-insensitive; the result is upper case.
 * Leading zeros are accepted and kept: the identity is the literal upper-cased text.
 *
 * The checksum is checked only when `saltHex` is given: without the issuing ARSP's salt, only the
 * syntax and ranges can be checked. Even then the checksum only catches mistyped AICs; it is not a
 * security control (anyone who knows the published salt can compute it): the X.509 credential is.
 */
export function parseAic(
  text: string,
  options: { saltHex?: string; scheme?: Pick<AicScheme, 'prefix'> } = {},
): AicParseResult {
  const prefix = options.scheme?.prefix ?? defaultAicScheme.prefix;
  const salt = options.saltHex;
  if (salt !== undefined) saltBytes(salt); // a bad salt is a configuration error, so it throws
  if (typeof text !== 'string') return fail('AIC_SYNTAX', 'an AIC must be a string');
  const written = text.split('.');
  if (written.length !== 10) {
    return fail('AIC_SYNTAX', `expected 10 dot-separated levels, found ${written.length}`);
  }
  for (let i = 0; i < written.length; i++) {
    const level = written[i];
    if (i !== 9 && level.length > 0 && level.length <= maxLengths[i] && ALNUM.test(level)) continue; // the usual case, checked without building messages
    const where = `level ${i + 1} (${levelNames[i]})`;
    if (level === '') return fail('AIC_SYNTAX', `${where} is empty`);
    // Checked before upper-casing: Unicode maps some letters to ASCII ones ('ß' -> 'SS', 'ı' -> 'I').
    const bad = /[^0-9A-Za-z]/u.exec(level);
    if (bad) return fail('AIC_SYNTAX', `${where} contains ${JSON.stringify(bad[0])}; only 0-9 and A-Z are allowed`);
    if (i === 9 && level.length !== 4) {
      return fail('AIC_SYNTAX', `${where} has ${level.length} characters; it must have exactly 4`);
    }
    if (level.length > maxLengths[i]) {
      return fail('AIC_SYNTAX', `${where} has ${level.length} characters; at most ${maxLengths[i]} are allowed`);
    }
  }
  // Most AICs arrive in canonical form already: then the levels split above are the canonical ones.
  const canonical = LOWER.test(text) ? text.toUpperCase() : text;
  const levels = canonical === text ? written : canonical.split('.');
  const version = levels[4];
  const arspIndex = levels[5];
  const providerIndex = levels[6];
  const ontologySerial = levels[7];
  const entitySerial = levels[8];
  const checksum = levels[9];
  const actualPrefix = `${levels[0]}.${levels[1]}.${levels[2]}.${levels[3]}`;
  if (actualPrefix !== prefix.toUpperCase()) {
    return fail('AIC_SYNTAX', `levels 1-4 (prefix) are ${actualPrefix}, expected ${prefix}`);
  }
  // AIC §3(5)-(9): levels 5-8 range from 1 upwards; level 9 is 0 only for an ontology, spelt "0".
  for (let i = 4; i < 8; i++) {
    if (ZEROS.test(levels[i])) {
      return fail('AIC_RANGE', `level ${i + 1} (${levelNames[i]}) is ${levels[i]}; its range starts at 1`);
    }
  }
  if (ZEROS.test(entitySerial) && entitySerial !== '0') {
    return fail('AIC_RANGE', `level 9 (agent entity serial) is ${entitySerial}; an ontology is marked by the single character 0`);
  }
  if (parseInt(checksum, 36) > 0xffff) {
    return fail('AIC_RANGE', `level 10 (checksum) is ${checksum}; a CRC-16 in Base36 is at most 1EKF`);
  }
  if (salt !== undefined) {
    const expected = aicChecksum(canonical.slice(0, canonical.lastIndexOf('.')), salt);
    if (expected !== checksum) {
      return fail('AIC_CHECKSUM', `level 10 (checksum) is ${checksum}, expected ${expected}: mistyped or forged AIC`);
    }
  }
  return {
    ok: true,
    aic: {
      text: canonical, prefix: actualPrefix, version, arspIndex, providerIndex, ontologySerial,
      entitySerial, checksum, isOntology: entitySerial === '0',
    },
  };
}

/** The AIC of the agent's ontology (class): the same levels 1-8, entity serial 0 (AIC §3(9)). */
export function ontologyAicOf(parsed: ParsedAic, saltHex: string): string {
  const { prefix, version, arspIndex, providerIndex, ontologySerial } = parsed;
  const dataCode = [prefix, version, arspIndex, providerIndex, ontologySerial, '0'].join('.');
  return `${dataCode}.${aicChecksum(dataCode, saltHex)}`;
}

const ALNUM = /^[0-9A-Za-z]+$/;
const LOWER = /[a-z]/;
const ZEROS = /^0+$/;

function fail(cause: 'AIC_SYNTAX' | 'AIC_RANGE' | 'AIC_CHECKSUM', reason: string) {
  return { ok: false, cause, reason } as const;
}

// A domain has one salt: its bytes are decoded once, not on every AIC checked.
const saltCache = new Map<string, Uint8Array>();

function saltBytes(saltHex: string): Uint8Array {
  const known = saltCache.get(saltHex);
  if (known) return known;
  if (!/^(?:[0-9a-fA-F]{2}){2,}$/.test(saltHex)) {
    throw new RangeError(`AIC salt ${JSON.stringify(saltHex)} must be hex of at least 2 bytes (AIC §4.1(2))`);
  }
  const bytes = Uint8Array.from(saltHex.match(/../g)!, (pair) => parseInt(pair, 16));
  if (saltCache.size < 16) saltCache.set(saltHex, bytes);
  return bytes;
}
