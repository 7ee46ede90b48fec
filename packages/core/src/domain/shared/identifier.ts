import { ValidationError } from './errors.js';

/** The identifier shape: 1–64 letters, digits, `_`, `.`, `:` or `-`, starting with a letter or digit. */
export const identifierPattern = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;

/**
 * Checks that `value` is an identifier as the domain stores them: 1–64 characters of letters,
 * digits, `_`, `.`, `:` or `-`, starting with a letter or digit.
 *
 * @throws {@link ValidationError} when it is not.
 */
export function parseIdentifier(value: unknown, field: string): string {
  if (typeof value !== 'string' || !identifierPattern.test(value)) {
    throw new ValidationError(`${field} is not a valid identifier`, [
      { path: field, message: 'expected 1-64 letters, digits, "_", ".", ":" or "-"' },
    ]);
  }
  return value;
}

/** True when `value` has the identifier shape {@link parseIdentifier} accepts. */
export function isIdentifier(value: unknown): value is string {
  return typeof value === 'string' && identifierPattern.test(value);
}
