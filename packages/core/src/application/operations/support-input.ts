import { maxClientNameLength, type ClientAssignment, type ClientAssignmentKey } from '../../domain/client/client-assignment.js';
import { isPartnerRole, type PartnerRole } from '../../domain/membership/partner-role.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';

/** Most entries one bulk support operation (an import, a directory sync, assignments) may carry. */
export const maxBulkSize = 20_000;
/** Longest organisation or user name. */
export const maxNameLength = 200;

const controls = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

export function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`${path} ${message}`, [{ path, message }]);
}

/** A display name: 1–200 characters after trimming, one line, no control characters. */
export function parseName(value: unknown, path: string): string {
  if (typeof value !== 'string') throw invalid(path, 'must be a string');
  const name = value.trim();
  if (name === '' || name.length > maxNameLength) throw invalid(path, `must be 1-${maxNameLength} characters`);
  if (controls.test(name)) throw invalid(path, 'must not contain control characters');
  return name;
}

export function parseBoolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw invalid(path, 'must be true or false');
  return value;
}

export function parseRole(value: unknown, path: string): PartnerRole {
  if (!isPartnerRole(value)) throw invalid(path, 'must be partner_admin or partner_user');
  return value;
}

/** A list of `min` (default 1) to `max` entries, each parsed by `parse` (given its path). */
export function parseList<T>(value: unknown, path: string, parse: (entry: unknown, path: string) => T, max = maxBulkSize, min = 1): T[] {
  if (!Array.isArray(value)) throw invalid(path, 'must be a list');
  if (value.length < min || value.length > max) throw invalid(path, `must have ${min}-${max} entries`);
  return value.map((entry: unknown, n) => parse(entry, `${path}[${n}]`));
}

function record(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(path, 'must be an object');
  return value as Record<string, unknown>;
}

export function parseAssignment(value: unknown, path: string): ClientAssignment {
  const entry = record(value, path);
  const name = parseName(entry.name, `${path}.name`);
  if (name.length > maxClientNameLength) throw invalid(`${path}.name`, `must be at most ${maxClientNameLength} characters`);
  return { userId: parseIdentifier(entry.userId, `${path}.userId`), clientId: parseIdentifier(entry.clientId, `${path}.clientId`), name };
}

export function parseAssignmentKey(value: unknown, path: string): ClientAssignmentKey {
  const entry = record(value, path);
  return { userId: parseIdentifier(entry.userId, `${path}.userId`), clientId: parseIdentifier(entry.clientId, `${path}.clientId`) };
}

export function parseEntry(value: unknown, path: string): Record<string, unknown> {
  return record(value, path);
}

/** Refuses a list that names one key twice (`describe` says what the key is). */
export function requireDistinct<T>(list: readonly T[], keyOf: (entry: T) => string, path: string, describe: string): void {
  const seen = new Set<string>();
  list.forEach((entry, n) => {
    const key = keyOf(entry);
    if (seen.has(key)) throw invalid(`${path}[${n}]`, `names ${describe} twice`);
    seen.add(key);
  });
}

/** An instant given as a Date (a valid one). */
export function parseInstant(value: unknown, path: string): Date {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw invalid(path, 'must be a valid instant');
  return value;
}
