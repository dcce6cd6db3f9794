import { expect } from 'chai';
import fc from 'fast-check';
import {
  aicChecksum,
  crc16CcittFalse,
  defaultAicScheme,
  formatAic,
  ontologyAicOf,
  parseAic,
  toBase36,
  type AicParseResult,
} from '../../nfs/shared/aic.ts';

const salt = '1234';
const specAic = '1.2.156.3088.1.1.34C2.478BDF.3GF546.0JU4';
const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ascii = (text: string) => new TextEncoder().encode(text);

function parsedOk(result: AicParseResult) {
  if (!result.ok) throw new Error(`expected a valid AIC, got ${result.cause}: ${result.reason}`);
  return result.aic;
}

function rejected(text: string, options: Parameters<typeof parseAic>[1] = { saltHex: salt }) {
  const result = parseAic(text, options);
  if (result.ok) throw new Error(`expected ${text} to be rejected`);
  return result;
}

describe('Agent Identity Code (ACPs-spec-AIC v02.02)', () => {
  describe('checksum (AIC §4.1)', () => {
    it('computes the CRC-16/CCITT-FALSE check value 0x29B1 for "123456789"', () => {
      expect(crc16CcittFalse(ascii('123456789'))).to.equal(0x29b1);
    });

    const vectors: Array<[string, number, string]> = [
      ['1.2.156.3088.1.1.34C2.478BDF.3GF546', 0x646c, '0JU4'],
      ['1.2.156.3088.1.1.34C2.478BDF.0', 0x6cf7, '0LIV'],
      ['1.2.156.3088.1.2.1.1.0', 0x4d21, '0F8H'],
      ['1.2.156.3088.1.2.1.1.1', 0x7a11, '0O41'],
      ['1.2.156.3088.1.2.1.1.51', 0x012d, '008D'],
      ['1.2.156.3088.1.1.34C2.478BDF.3GF547', 0x535c, '0GGS'],
    ];
    for (const [dataCode, crc, checksum] of vectors) {
      it(`gives CRC 0x${crc.toString(16).toUpperCase().padStart(4, '0')} and checksum ${checksum} for ${dataCode} with salt 1234`, () => {
        expect(crc16CcittFalse(new Uint8Array([...ascii(dataCode), 0x12, 0x34]))).to.equal(crc);
        expect(aicChecksum(dataCode, salt)).to.equal(checksum);
      });
    }

    it('gives CRC 0x8255 and checksum 0PQT for the spec data code without salt', () => {
      const crc = crc16CcittFalse(ascii('1.2.156.3088.1.1.34C2.478BDF.3GF546'));
      expect(crc).to.equal(0x8255);
      expect(toBase36(crc).padStart(4, '0')).to.equal('0PQT');
    });

    it('computes the checksum over the upper-cased data code', () => {
      expect(aicChecksum('1.2.156.3088.1.1.34c2.478bdf.3gf546', salt)).to.equal('0JU4');
    });

    it('refuses a salt shorter than 2 bytes or not in hex', () => {
      for (const bad of ['', '12', '123', '12345', 'zz34']) {
        expect(() => aicChecksum('1.2.156.3088.1.2.1.1.1', bad), bad).to.throw(RangeError, /at least 2 bytes/);
      }
    });
  });

  describe('formatAic and toBase36', () => {
    it('reproduces the worked AICs of the domain defaults', () => {
      const aic = (providerIndex: string, ontologySerial: string, entitySerial: string) =>
        formatAic(defaultAicScheme, { providerIndex, ontologySerial, entitySerial });
      expect(aic('1', '1', '0')).to.equal('1.2.156.3088.1.2.1.1.0.0F8H');
      expect(aic('1', '1', '1')).to.equal('1.2.156.3088.1.2.1.1.1.0O41');
      expect(aic('1', '1', '51')).to.equal('1.2.156.3088.1.2.1.1.51.008D');
    });

    it('reproduces the spec example AIC', () => {
      const scheme = { ...defaultAicScheme, arspIndex: '1' };
      expect(formatAic(scheme, { providerIndex: '34C2', ontologySerial: '478BDF', entitySerial: '3GF546' })).to.equal(specAic);
      expect(formatAic(scheme, { providerIndex: '34C2', ontologySerial: '478BDF', entitySerial: '0' })).to.equal(
        '1.2.156.3088.1.1.34C2.478BDF.0.0LIV',
      );
    });

    it('throws a RangeError naming the part that is out of range, badly spelt or padded', () => {
      const good = { providerIndex: '1', ontologySerial: '1', entitySerial: '1' };
      const cases: Array<[Partial<typeof good>, Partial<typeof defaultAicScheme>, RegExp]> = [
        [{ providerIndex: '0' }, {}, /agent provider index must not be 0/],
        [{ ontologySerial: '0' }, {}, /agent ontology serial must not be 0/],
        [{ providerIndex: '1234567' }, {}, /agent provider index .* 1 to 6 characters/],
        [{ entitySerial: '1234567890' }, {}, /agent entity serial .* 1 to 9 characters/],
        [{ entitySerial: 'A-B' }, {}, /agent entity serial .* 0-9 and A-Z/],
        [{ entitySerial: 'ı' }, {}, /agent entity serial .* 0-9 and A-Z/],
        [{ ontologySerial: '' }, {}, /agent ontology serial .* 1 to 9 characters/],
        [{ entitySerial: '01' }, {}, /agent entity serial .* leading zero/],
        [{}, { version: '0' }, /AIC version must not be 0/],
        [{}, { version: '12' }, /AIC version .* 1 to 1 characters/],
        [{}, { arspIndex: '0' }, /ARSP index must not be 0/],
        [{}, { prefix: '1.2.156' }, /four numeric OID arcs/],
        [{}, { saltHex: '12' }, /at least 2 bytes/],
      ];
      for (const [parts, scheme, message] of cases) {
        expect(() => formatAic({ ...defaultAicScheme, ...scheme }, { ...good, ...parts }), String(message)).to.throw(
          RangeError,
          message,
        );
      }
    });

    it('renders counters in upper-case Base36 without padding, from numbers and bigints', () => {
      expect(toBase36(0)).to.equal('0');
      expect(toBase36(35)).to.equal('Z');
      expect(toBase36(0xffff)).to.equal('1EKF');
      expect(toBase36(36n ** 9n - 1n)).to.equal('ZZZZZZZZZ');
      expect(() => toBase36(-1)).to.throw(RangeError);
      expect(() => toBase36(1.5)).to.throw(RangeError);
      expect(() => toBase36(-1n)).to.throw(RangeError);
    });
  });

  describe('parseAic', () => {
    it('accepts the spec example and splits it into its levels', () => {
      expect(parsedOk(parseAic(specAic, { saltHex: salt }))).to.deep.equal({
        text: specAic,
        prefix: '1.2.156.3088',
        version: '1',
        arspIndex: '1',
        providerIndex: '34C2',
        ontologySerial: '478BDF',
        entitySerial: '3GF546',
        checksum: '0JU4',
        isOntology: false,
      });
    });

    it('accepts lower-case input and returns the canonical upper-case form', () => {
      const aic = parsedOk(parseAic('1.2.156.3088.1.1.34c2.478bdf.3gf546.0ju4', { saltHex: salt }));
      expect(aic.text).to.equal(specAic);
      expect(aic.ontologySerial).to.equal('478BDF');
    });

    it('rejects the one-character typo 3GF547 with a checksum reason that names both values', () => {
      const result = rejected('1.2.156.3088.1.1.34C2.478BDF.3GF547.0JU4');
      expect(result.cause).to.equal('AIC_CHECKSUM');
      expect(result.reason).to.equal('level 10 (checksum) is 0JU4, expected 0GGS: mistyped or forged AIC');
      expect(rejected('1.2.156.3088.1.1.34C2.478BDF.3GF546.0JU5').reason).to.equal(
        'level 10 (checksum) is 0JU5, expected 0JU4: mistyped or forged AIC',
      );
    });

    it('checks only syntax and ranges when no salt is given', () => {
      expect(parseAic('1.2.156.3088.1.1.34C2.478BDF.3GF546.0JU5').ok).to.equal(true);
      expect(parseAic('1.2.156.3088.1.1.34C2.478BDF.3GF546.0PQT', { saltHex: salt }).ok).to.equal(false);
    });

    it('marks an ontology AIC and derives the ontology AIC of an entity', () => {
      expect(parsedOk(parseAic('1.2.156.3088.1.1.34C2.478BDF.0.0LIV', { saltHex: salt })).isOntology).to.equal(true);
      const entity = parsedOk(parseAic(specAic, { saltHex: salt }));
      expect(ontologyAicOf(entity, salt)).to.equal('1.2.156.3088.1.1.34C2.478BDF.0.0LIV');
    });

    it('keeps leading zeros as written: 01 is a different identity from 1', () => {
      const dataCode = '1.2.156.3088.1.2.01.1.1';
      const aic = parsedOk(parseAic(`${dataCode}.${aicChecksum(dataCode, salt)}`, { saltHex: salt }));
      expect(aic.providerIndex).to.equal('01');
      expect(aic.checksum).to.not.equal('0O41');
    });

    it('accepts a prefix other than the default when the scheme names it', () => {
      const dataCode = '1.2.156.9999.1.2.1.1.1';
      const text = `${dataCode}.${aicChecksum(dataCode, salt)}`;
      expect(rejected(text).reason).to.equal('levels 1-4 (prefix) are 1.2.156.9999, expected 1.2.156.3088');
      expect(parseAic(text, { saltHex: salt, scheme: { prefix: '1.2.156.9999' } }).ok).to.equal(true);
    });

    const syntaxCases: Array<[string, string, RegExp]> = [
      ['a legacy 32-character ACPs v1 code', '10001000011K94ZH3VDXLP4S5EB63614', /expected 10 dot-separated levels, found 1/],
      ['nine levels', '1.2.156.3088.1.2.1.1.0F8H', /expected 10 .* found 9/],
      ['eleven levels', '1.2.156.3088.1.2.1.1.1.1.0O41', /expected 10 .* found 11/],
      ['an empty level', '1.2.156.3088.1..1.1.1.0O41', /level 6 \(ARSP index\) is empty/],
      ['a character outside 0-9A-Z', '1.2.156.3088.1.2.1.1.1_.0O41', /level 9 \(agent entity serial\) contains "_"/],
      ['surrounding whitespace', ' 1.2.156.3088.1.2.1.1.1.0O41', /level 1 \(prefix\) contains " "/],
      ['a non-ASCII letter', '1.2.156.3088.1.2.1.1.é.0O41', /level 9 \(agent entity serial\) contains "é"/],
      ['ß, which upper-cases to SS', '1.2.156.3088.1.2.1.1.ß.0O41', /level 9 \(agent entity serial\) contains "ß"/],
      ['dotless ı, which upper-cases to I', '1.2.156.3088.1.2.1.1.ı.0O41', /contains "ı"/],
      ['long ſ, which upper-cases to S', '1.2.156.3088.1.2.1.ſ.1.0O41', /level 8 \(agent ontology serial\) contains "ſ"/],
      ['a two-character version', '1.2.156.3088.12.2.1.1.1.0O41', /level 5 \(AIC version\) has 2 characters; at most 1/],
      ['a 7-character ARSP index', '1.2.156.3088.1.1234567.1.1.1.0O41', /level 6 \(ARSP index\) has 7/],
      ['a 7-character provider index', '1.2.156.3088.1.2.1234567.1.1.0O41', /level 7 \(agent provider index\) has 7/],
      ['a 10-character ontology serial', '1.2.156.3088.1.2.1.1234567890.1.0O41', /level 8 \(agent ontology serial\) has 10/],
      ['a 10-character entity serial', '1.2.156.3088.1.2.1.1.1234567890.0O41', /level 9 \(agent entity serial\) has 10/],
      ['a 3-character checksum', '1.2.156.3088.1.2.1.1.1.O41', /level 10 \(checksum\) has 3 characters; it must have exactly 4/],
      ['a 5-character checksum', '1.2.156.3088.1.2.1.1.1.00O41', /level 10 \(checksum\) has 5 characters/],
      ['another prefix', '1.2.840.3088.1.2.1.1.1.0O41', /levels 1-4 \(prefix\) are 1.2.840.3088, expected 1.2.156.3088/],
    ];
    for (const [what, text, reason] of syntaxCases) {
      it(`rejects ${what} as AIC_SYNTAX`, () => {
        const result = rejected(text);
        expect(result.cause).to.equal('AIC_SYNTAX');
        expect(result.reason).to.match(reason);
      });
    }

    const rangeCases: Array<[string, string, RegExp]> = [
      ['version 0', '1.2.156.3088.0.2.1.1.1.0O41', /level 5 \(AIC version\) is 0; its range starts at 1/],
      ['ARSP index 0', '1.2.156.3088.1.0.1.1.1.0O41', /level 6 \(ARSP index\) is 0/],
      ['ARSP index 000', '1.2.156.3088.1.000.1.1.1.0O41', /level 6 \(ARSP index\) is 000/],
      ['provider index 0', '1.2.156.3088.1.2.0.1.1.0O41', /level 7 \(agent provider index\) is 0/],
      ['ontology serial 0', '1.2.156.3088.1.2.1.0.1.0O41', /level 8 \(agent ontology serial\) is 0/],
      ['an ontology marker spelt 00', '1.2.156.3088.1.2.1.1.00.0F8H', /level 9 .* is 00; .* single character 0/],
      ['checksum 1EKG, above 0xFFFF', '1.2.156.3088.1.2.1.1.1.1EKG', /level 10 \(checksum\) is 1EKG; .* at most 1EKF/],
      ['checksum ZZZZ', '1.2.156.3088.1.2.1.1.1.zzzz', /level 10 \(checksum\) is ZZZZ/],
    ];
    for (const [what, text, reason] of rangeCases) {
      it(`rejects ${what} as AIC_RANGE, with or without the salt`, () => {
        for (const options of [{ saltHex: salt }, {}]) {
          const result = rejected(text, options);
          expect(result.cause).to.equal('AIC_RANGE');
          expect(result.reason).to.match(reason);
        }
      });
    }

    it('accepts the extreme checksums 1EKF (0xFFFF) and 0000 when they match the data code', () => {
      expect(parsedOk(parseAic('1.2.156.3088.1.2.1.1.3LI.1EKF', { saltHex: salt })).checksum).to.equal('1EKF');
      expect(parsedOk(parseAic('1.2.156.3088.1.2.1.1.F6L.0000', { saltHex: salt })).checksum).to.equal('0000');
    });

    it('cannot tell the older ACS-spec level order from v02.02: it reads as ARSP index 34C2', () => {
      // ACPs ACS example, older order (version last): same text, so the same checksum verifies.
      const aic = parsedOk(parseAic('1.2.156.3088.1.34C2.478BDF.3GF546.1.0SEN', { saltHex: salt }));
      expect([aic.version, aic.arspIndex, aic.entitySerial]).to.deep.equal(['1', '34C2', '1']);
    });
  });

  describe('properties', () => {
    const serial = (max: number, min = 1) => fc.integer({ min, max: 36 ** max - 1 }).map(toBase36);
    const validAic = fc.record({
      scheme: fc.record({
        prefix: fc.constant(defaultAicScheme.prefix),
        version: fc.constantFrom(...alphabet.slice(1)),
        arspIndex: serial(6),
        saltHex: fc.uint8Array({ minLength: 2, maxLength: 8 }).map((b) => Buffer.from(b).toString('hex')),
      }),
      parts: fc.record({ providerIndex: serial(6), ontologySerial: serial(9), entitySerial: serial(9, 0) }),
    });

    it('parses every formatted AIC back to the same parts, in upper or lower case', () => {
      fc.assert(
        fc.property(validAic, fc.boolean(), ({ scheme, parts }, lower) => {
          const text = formatAic(scheme, parts);
          const aic = parsedOk(parseAic(lower ? text.toLowerCase() : text, { saltHex: scheme.saltHex }));
          expect(aic).to.include({ text, version: scheme.version, arspIndex: scheme.arspIndex, ...parts });
          expect(aic.isOntology).to.equal(parts.entitySerial === '0');
          expect(ontologyAicOf(aic, scheme.saltHex)).to.equal(formatAic(scheme, { ...parts, entitySerial: '0' }));
        }),
        { numRuns: 500 },
      );
    });

    /** Every AIC that one substitution of a level character (not a dot) can make from `text`. */
    function* substitutions(text: string) {
      for (let i = 0; i < text.length; i++) {
        if (text[i] === '.') continue;
        for (const c of alphabet) if (c !== text[i]) yield text.slice(0, i) + c + text.slice(i + 1);
      }
    }

    function expectRejectedBecauseOfTheChecksumIfNotBefore(mutated: string, saltHex: string) {
      const result = parseAic(mutated, { saltHex });
      expect(result.ok, mutated).to.equal(false);
      // When syntax and ranges pass, it must be the CRC that caught the substitution.
      if (parseAic(mutated).ok) expect(result).to.include({ cause: 'AIC_CHECKSUM' });
    }

    it('rejects every single-character substitution in the spec example AIC', () => {
      let checksumCaught = 0;
      for (const mutated of substitutions(specAic)) {
        expectRejectedBecauseOfTheChecksumIfNotBefore(mutated, salt);
        if (parseAic(mutated).ok) checksumCaught++;
      }
      expect(checksumCaught).to.be.greaterThan(500);
    });

    it('rejects a single-character substitution anywhere in the data code or checksum of any valid AIC', () => {
      fc.assert(
        fc.property(validAic, fc.nat(), fc.nat(), ({ scheme, parts }, at, by) => {
          const text = formatAic(scheme, parts);
          const positions = [...text].flatMap((c, i) => (c === '.' ? [] : [i]));
          const i = positions[at % positions.length];
          const replacement = alphabet.replace(text[i], '')[by % (alphabet.length - 1)];
          expectRejectedBecauseOfTheChecksumIfNotBefore(text.slice(0, i) + replacement + text.slice(i + 1), scheme.saltHex);
        }),
        { numRuns: 2000 },
      );
    });
  });
});
