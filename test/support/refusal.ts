/** The ProblemError a promise is expected to reject with (the test fails when it resolves). */
import { expect } from 'chai';
import { ProblemError } from '../../nfs/shared/problem.ts';

export async function refusal(promise: Promise<unknown>): Promise<ProblemError> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.instanceOf(ProblemError);
    return error as ProblemError;
  }
  throw new Error('expected a refusal');
}
