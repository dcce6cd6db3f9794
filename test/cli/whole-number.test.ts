import { expect } from 'chai';
import { InvalidArgumentError } from 'commander';
import { wholeNumber } from '../../bin/commands/whole-number.ts';

describe('wholeNumber: the CLI parser of counts and limits', () => {
  const limit = wholeNumber(1, 100);

  it('takes decimal digits within the range', () => {
    expect(limit('1')).to.equal(1);
    expect(limit('100')).to.equal(100);
    expect(limit('007')).to.equal(7);
    expect(wholeNumber(1)('123456')).to.equal(123456);
  });

  for (const bad of ['0', '101', '', ' 5', '5 ', '5.0', '2.5', '1e1', '0x10', '+5', '-1', 'Infinity', 'NaN', 'ten', '99999999999999999']) {
    it(`refuses ${JSON.stringify(bad)}, naming the range`, () => {
      expect(() => limit(bad)).to.throw(InvalidArgumentError, 'must be a whole number from 1 to 100, in digits');
    });
  }

  it('names an open range as such', () => {
    expect(() => wholeNumber(1)('0')).to.throw('must be a whole number 1 or more, in digits');
  });
});
