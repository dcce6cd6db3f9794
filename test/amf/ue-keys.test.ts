/** The shared NAS security of nfs/shared/ue-keys.ts: keys, RES, RFC 8785 canonical JSON, MACs. */
import { expect } from 'chai';
import {
  authenticationResponse,
  canonicalJson,
  checkAuthenticationResponse,
  demoMasterSecret,
  nasIntegrityKey,
  nasMac,
  protectNasMessage,
  subscriberKey,
  verifyNasMac,
} from '../../nfs/shared/ue-keys.ts';

describe('UE keys and NAS security (nfs/shared/ue-keys.ts)', () => {
  const k = subscriberKey(demoMasterSecret, 'imsi-001010000000001');
  const rand = '00112233445566778899aabbccddeeff';

  it('derives a different K per SUPI and per master secret', () => {
    expect(k).to.have.length(32);
    expect(subscriberKey(demoMasterSecret, 'imsi-001010000000002').equals(k)).to.equal(false);
    expect(subscriberKey('another-master-secret', 'imsi-001010000000001').equals(k)).to.equal(false);
  });

  it('checks RES in any hex case and refuses another K\'s', () => {
    const res = authenticationResponse(k, rand);
    expect(checkAuthenticationResponse(k, rand, res.toUpperCase())).to.equal(true);
    expect(checkAuthenticationResponse(subscriberKey(demoMasterSecret, 'imsi-001010000000002'), rand, res)).to.equal(false);
    expect(checkAuthenticationResponse(k, rand, res.slice(2))).to.equal(false);
  });

  it('writes RFC 8785 canonical JSON: members sorted, no whitespace, undefined left out', () => {
    expect(canonicalJson({ b: 1, a: [true, null, { d: 'x', c: 2.5 }], e: undefined, '\u00e9': 'é', Z: 1e21 })).to.equal('{"Z":1e+21,"a":[true,null,{"c":2.5,"d":"x"}],"b":1,"é":"é"}');
    expect(canonicalJson(JSON.parse('{"y":1,"x":2}'))).to.equal(canonicalJson({ x: 2, y: 1 }));
  });

  it('makes a MAC that any change of field, count, key set or direction breaks', () => {
    const kNasInt = nasIntegrityKey(k, rand);
    const message: Record<string, unknown> & { securityHeader: { ngKsi: number; nasCount: number; mac: string } } = protectNasMessage(
      { messageType: 'UL_NAS_TRANSPORT', guti: '5g-guti-00101cafe0012345678', payloadContainer: { text: 'hi' } },
      kNasInt,
      'uplink',
      3,
      7,
    );
    expect(message.securityHeader).to.include({ ngKsi: 3, nasCount: 7 });
    expect(verifyNasMac(kNasInt, 'uplink', message)).to.equal(true);
    const reordered = Object.fromEntries(Object.entries(message).reverse()) as typeof message;
    expect(verifyNasMac(kNasInt, 'uplink', JSON.parse(JSON.stringify(reordered)))).to.equal(true);
    expect(verifyNasMac(kNasInt, 'downlink', message)).to.equal(false);
    expect(verifyNasMac(kNasInt, 'uplink', { ...message, payloadContainer: { text: 'ho' } } as typeof message)).to.equal(false);
    expect(verifyNasMac(kNasInt, 'uplink', { ...message, securityHeader: { ...message.securityHeader, nasCount: 8 } })).to.equal(false);
    expect(verifyNasMac(kNasInt, 'uplink', { ...message, securityHeader: { ...message.securityHeader, ngKsi: 4 } })).to.equal(false);
    expect(verifyNasMac(nasIntegrityKey(k, 'ff'.repeat(16)), 'uplink', message)).to.equal(false);
    expect(verifyNasMac(kNasInt, 'uplink', { ...message, securityHeader: { ...message.securityHeader, mac: 'short' } })).to.equal(false);
    expect(nasMac(kNasInt, 'uplink', message)).to.equal(message.securityHeader.mac);
  });
});
