import type { PartnerRole } from '../membership/partner-role.js';
import { decodeJsonCursor, encodeBase64Url } from '../shared/base64url.js';
import { ForbiddenError, ValidationError } from '../shared/errors.js';
import { isIdentifier } from '../shared/identifier.js';
import { roleAllows } from '../organisation/permissions.js';

/** Columns the roster can be sorted by. */
export const rosterSorts = ['name', 'email', 'role', 'lastActiveAt'] as const;
/** See {@link rosterSorts}. */
export type RosterSort = (typeof rosterSorts)[number];
/** Sort direction. */
export type SortOrder = 'asc' | 'desc';

/** One row of the roster, joined from the membership and the user directory. */
export interface RosterEntry {
  readonly userId: string;
  readonly name: string;
  readonly email: string;
  readonly role: PartnerRole;
  readonly mfaEnabled: boolean;
  readonly lastActiveAt: Date | null;
}

/**
 * A row's place in one sort order: its sort key followed by the user id as the final tie-breaker.
 * Keys: name → [nameKey]; email → [emailKey]; role → [role, nameKey]; lastActiveAt → [epoch ms, or
 * -1 when unknown]. Text keys are {@link textKey}s and compare by Unicode code point, so every adapter
 * (including MongoDB's binary string order) agrees on one order.
 */
export interface RosterPosition {
  readonly key: readonly (string | number)[];
  readonly userId: string;
}

/** A validated roster query as adapters receive it. */
export interface RosterQuery {
  /** Normalised search term ({@link textKey} of the input), or null for no search. */
  readonly term: string | null;
  readonly sort: RosterSort;
  readonly order: SortOrder;
  readonly limit: number;
  /** Return only rows strictly after this position in (sort, order); null for the first page. */
  readonly after: RosterPosition | null;
}

/** The raw roster query a caller sends. */
export interface RosterQueryInput {
  readonly q?: string | undefined;
  readonly sort?: string | undefined;
  readonly order?: string | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

export const defaultRosterPageSize = 25;
export const maxRosterPageSize = 100;
export const maxSearchTermLength = 100;

/** Case- and normalisation-insensitive form of a text used for sorting and searching. */
export function textKey(text: string): string {
  return text.normalize('NFC').toLowerCase();
}

/** Compares two strings by Unicode code point (not UTF-16 unit), matching UTF-8 byte order. */
export function compareText(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      if (x < 0xd800 && y < 0xd800) return x - y;
      return (a.codePointAt(i) ?? 0) - (b.codePointAt(i) ?? 0);
    }
  }
  return a.length - b.length;
}

/** The position of `entry` in `sort`. */
export function rosterPosition(entry: RosterEntry, sort: RosterSort): RosterPosition {
  switch (sort) {
    case 'name':
      return { key: [textKey(entry.name)], userId: entry.userId };
    case 'email':
      return { key: [textKey(entry.email)], userId: entry.userId };
    case 'role':
      return { key: [entry.role, textKey(entry.name)], userId: entry.userId };
    case 'lastActiveAt':
      return { key: [entry.lastActiveAt === null ? -1 : entry.lastActiveAt.getTime()], userId: entry.userId };
  }
}

/** Ascending comparison of two positions of the same sort. */
export function comparePositions(a: RosterPosition, b: RosterPosition): number {
  for (let i = 0; i < a.key.length; i += 1) {
    const x = a.key[i];
    const y = b.key[i];
    const c = typeof x === 'number' && typeof y === 'number' ? x - y : compareText(String(x), String(y));
    if (c !== 0) return c;
  }
  return compareText(a.userId, b.userId);
}

/** True when `entry` matches the normalised search `term` in its name or email. */
export function matchesRosterSearch(entry: RosterEntry, term: string): boolean {
  return textKey(entry.name).includes(term) || textKey(entry.email).includes(term);
}

/**
 * The reference semantics of a roster page: filter, sort, keyset, limit. Adapters must return what
 * this returns (the contract suite and the benchmark compare against it).
 */
export function referenceRosterPage(
  entries: Iterable<RosterEntry>,
  query: RosterQuery,
): { items: RosterEntry[]; total: number; hasMore: boolean } {
  const direction = query.order === 'asc' ? 1 : -1;
  const matching = [...entries].filter((e) => query.term === null || matchesRosterSearch(e, query.term));
  const positioned = matching.map((entry) => ({ entry, position: rosterPosition(entry, query.sort) }));
  positioned.sort((a, b) => direction * comparePositions(a.position, b.position));
  const after = query.after;
  const rest = after === null ? positioned : positioned.filter((p) => direction * comparePositions(p.position, after) > 0);
  return {
    items: rest.slice(0, query.limit).map((p) => p.entry),
    total: matching.length,
    hasMore: rest.length > query.limit,
  };
}

interface CursorBody {
  v: 1;
  s: RosterSort;
  o: SortOrder;
  q: string | null;
  k: (string | number)[];
  u: string;
}

/** Encodes the position after which the next page starts, bound to the query's sort, order and term. */
export function encodeRosterCursor(query: Pick<RosterQuery, 'sort' | 'order' | 'term'>, position: RosterPosition): string {
  const body: CursorBody = { v: 1, s: query.sort, o: query.order, q: query.term, k: [...position.key], u: position.userId };
  return encodeBase64Url(JSON.stringify(body));
}

function invalid(path: string, message: string): ValidationError {
  return new ValidationError(`Invalid roster query: ${path} ${message}`, [{ path, message }]);
}

function isSortOrder(value: string): value is SortOrder {
  return value === 'asc' || value === 'desc';
}

function keyShapeOf(sort: RosterSort): readonly ('string' | 'number')[] {
  return sort === 'role' ? ['string', 'string'] : sort === 'lastActiveAt' ? ['number'] : ['string'];
}

function decodeRosterCursor(cursor: string, query: Omit<RosterQuery, 'after' | 'limit'>): RosterPosition {
  const body = decodeJsonCursor(cursor, 2048);
  if (typeof body !== 'object' || body === null) throw invalid('cursor', 'is not a cursor this server issued');
  const c = body as Partial<CursorBody>;
  if (c.v !== 1 || c.s !== query.sort || c.o !== query.order || c.q !== query.term) {
    throw invalid('cursor', 'belongs to a different query (sort, order or search changed)');
  }
  const shape = keyShapeOf(query.sort);
  const key = c.k;
  if (
    !Array.isArray(key) ||
    key.length !== shape.length ||
    !key.every((part, i) => typeof part === shape[i] && (typeof part !== 'number' || Number.isSafeInteger(part))) ||
    !isIdentifier(c.u)
  ) {
    throw invalid('cursor', 'is not a cursor this server issued');
  }
  return { key, userId: c.u };
}

/**
 * Validates a raw roster query for a reader with `role`.
 *
 * @throws {@link ValidationError} for an unknown sort or order, a page size outside 1–100, a search
 *   term longer than 100 characters or with control characters, or a cursor that is malformed or
 *   was issued for a different sort, order or term.
 * @throws {@link ForbiddenError} when the reader may not see last activity (`members.view_activity`)
 *   and sorts by it.
 */
export function parseRosterQuery(input: RosterQueryInput, role: PartnerRole): RosterQuery {
  const sort = input.sort ?? 'name';
  if (!(rosterSorts as readonly string[]).includes(sort)) throw invalid('sort', `must be one of ${rosterSorts.join(', ')}`);
  const order = input.order ?? 'asc';
  if (!isSortOrder(order)) throw invalid('order', 'must be asc or desc');
  const limit = input.limit ?? defaultRosterPageSize;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxRosterPageSize) {
    throw invalid('limit', `must be an integer from 1 to ${maxRosterPageSize}`);
  }
  const rawTerm = input.q ?? '';
  if (typeof rawTerm !== 'string' || rawTerm.length > maxSearchTermLength) {
    throw invalid('q', `must be at most ${maxSearchTermLength} characters`);
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/u.test(rawTerm)) throw invalid('q', 'must not contain control characters');
  const trimmed = textKey(rawTerm.trim());
  const term = trimmed === '' ? null : trimmed;
  const typedSort = sort as RosterSort;
  if (typedSort === 'lastActiveAt' && !roleAllows(role, 'members.view_activity')) {
    throw new ForbiddenError('Only partner_admins can sort by last activity');
  }
  const base = { term, sort: typedSort, order };
  const after = input.cursor === undefined || input.cursor === '' ? null : decodeRosterCursor(input.cursor, base);
  return { ...base, limit, after };
}
