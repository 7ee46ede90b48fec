import { expect } from 'chai';

/**
 * Awaits `promise` and asserts that it rejects with an instance of `errorClass`; returns the error.
 */
export async function expectRejection<E extends Error>(
  promise: Promise<unknown>,
  errorClass: abstract new (...args: never[]) => E,
): Promise<E> {
  let outcome: { rejected: true; error: unknown } | { rejected: false; value: unknown };
  try {
    outcome = { rejected: false, value: await promise };
  } catch (error: unknown) {
    outcome = { rejected: true, error };
  }
  if (!outcome.rejected) expect.fail(`expected a rejection with ${errorClass.name}, but it resolved`);
  expect(outcome.error).to.be.instanceOf(errorClass);
  return outcome.error as E;
}
