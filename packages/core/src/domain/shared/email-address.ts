import { ValidationError } from './errors.js';

const maxLength = 254;
// Deliberately simple: one "@", a non-empty local part and a dotted domain, with no whitespace,
// control, format (bidi overrides, zero-width…) or unassigned characters, which only ever serve to
// spoof an address. Delivery proves the rest; the rule we own is equality after normalisation.
const emailPattern = /^[^@\s\p{C}\p{Z}]+@[^@\s\p{C}\p{Z}]+\.[^@\s\p{C}\p{Z}]+$/u;

/**
 * Normalises an email address for comparison: Unicode NFC, trimmed, lower-cased.
 *
 * @throws {@link ValidationError} when the result is not a plausible address or longer than 254.
 */
export function normaliseEmail(value: unknown, field = 'email'): string {
  if (typeof value !== 'string') {
    throw new ValidationError(`${field} must be a string`, [{ path: field, message: 'expected a string' }]);
  }
  const normalised = value.normalize('NFC').trim().toLowerCase();
  if (normalised.length === 0 || normalised.length > maxLength || !emailPattern.test(normalised)) {
    throw new ValidationError(`${field} is not a valid email address`, [
      { path: field, message: `expected an email address of at most ${maxLength} characters` },
    ]);
  }
  return normalised;
}
