/** A commander option parser for counts and limits. */
import { InvalidArgumentError } from 'commander';

/**
 * A whole number written in decimal digits, from min to max. Number() alone would also take
 * "1e1", "0x10", "5.0" and " 5", which a user who typed them did not mean as a count.
 */
export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER): (value: string) => number {
  const range = max === Number.MAX_SAFE_INTEGER ? `${min} or more` : `from ${min} to ${max}`;
  return (value) => {
    const parsed = /^\d{1,16}$/.test(value) ? Number(value) : NaN;
    if (!(parsed >= min && parsed <= max)) throw new InvalidArgumentError(`must be a whole number ${range}, in digits`);
    return parsed;
  };
}
