/** Provisioned subscribers as ranges (nfs/amf/subscribers.ts): the defaults and bad ranges. */
import { expect } from 'chai';
import { createSubscriberDirectory, defaultSubscriberRanges } from '../../nfs/amf/subscribers.ts';
import { ConfigError } from '../../nfs/shared/config.ts';
import { demoMasterSecret, subscriberKey } from '../../nfs/shared/ue-keys.ts';

describe('AMF subscriber ranges', () => {
  const directory = createSubscriberDirectory({ ranges: defaultSubscriberRanges, masterSecret: demoMasterSecret });

  it('provisions the three default ranges with their agent and conversion flags and K', () => {
    expect(directory.lookup('imsi-001010000000001')).to.deep.include({ ueAgent: true, intentConversionOnUe: false });
    expect(directory.lookup('imsi-001010000001000')).to.deep.include({ ueAgent: true, intentConversionOnUe: false });
    expect(directory.lookup('imsi-001010000001001')).to.deep.include({ ueAgent: true, intentConversionOnUe: true });
    expect(directory.lookup('imsi-001010000002001')).to.deep.include({ ueAgent: false, intentConversionOnUe: false });
    expect(directory.lookup('imsi-001010000100000')!.key.equals(subscriberKey(demoMasterSecret, 'imsi-001010000100000'))).to.equal(true);
  });

  it('knows no SUPI outside the ranges, of another length, or malformed', () => {
    for (const supi of ['imsi-001010000000000', 'imsi-001010000100001', 'imsi-00101000000001', 'imsi-0010100000000010', 'nai-x', '']) {
      expect(directory.lookup(supi), supi).to.equal(undefined);
    }
  });

  it('refuses ranges whose ends differ in length or come in the wrong order', () => {
    expect(() => createSubscriberDirectory({ ranges: [{ first: 'imsi-00101', last: 'imsi-001019', ueAgent: false, intentConversionOnUe: false }], masterSecret: 'x' })).to.throw(ConfigError, /differ in length/);
    expect(() => createSubscriberDirectory({ ranges: [{ first: 'imsi-00109', last: 'imsi-00101', ueAgent: false, intentConversionOnUe: false }], masterSecret: 'x' })).to.throw(ConfigError, /comes after/);
  });
});
