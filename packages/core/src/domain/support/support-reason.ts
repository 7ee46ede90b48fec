import { ValidationError } from '../shared/errors.js';

/** Longest reason a support operator may give. */
export const maxReasonLength = 500;

// C0 and C1 controls, line and paragraph separators, and bidirectional formatting characters: a
// reason is one line of plain text, and must read the same wherever an auditor sees it.
const forbidden = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/**
 * Checks the reason a support operator gives for an operation and returns it trimmed: every support
 * operation needs one, and it is recorded in the operation's audit event.
 *
 * @throws {@link ValidationError} when it is not a string, is empty after trimming, is longer than
 *   {@link maxReasonLength} characters, or contains control or bidirectional formatting characters.
 */
export function parseSupportReason(value: unknown): string {
  const fail = (message: string): never => {
    throw new ValidationError(`reason ${message}`, [{ path: 'reason', message }]);
  };
  if (typeof value !== 'string') return fail('is required');
  const reason = value.trim();
  if (reason === '') fail('must not be empty');
  if (reason.length > maxReasonLength) fail(`must be at most ${maxReasonLength} characters`);
  if (forbidden.test(reason)) fail('must not contain control characters');
  return reason;
}
