import { comparePositions, rosterPosition, rosterSorts, textKey, type RosterEntry, type RosterPosition, type RosterQuery, type RosterSort } from './roster-query.js';
import { RosterSearch } from './roster-search.js';

/** A page as the index answers it. */
export interface RosterIndexPage {
  readonly items: readonly RosterEntry[];
  readonly total: number;
  readonly hasMore: boolean;
}

/**
 * A row of one sort order. Its position is also kept flattened (`a`, `b`, `u`) with a flag saying
 * whether every part is free of UTF-16 surrogates: then JavaScript's own string order is code-point
 * order and the binary search compares natively, touching one object per probe.
 */
interface Row {
  readonly entry: RosterEntry;
  readonly position: RosterPosition;
  readonly ordinal: number;
  readonly a: string | number;
  readonly b: string;
  readonly u: string;
  readonly plain: boolean;
}

type Key = Pick<Row, 'position' | 'a' | 'b' | 'u' | 'plain'>;

interface Member {
  readonly entry: RosterEntry;
  readonly ordinal: number;
  readonly keys: readonly string[];
  /** The member's row in each sort order. */
  readonly rows: ReadonlyMap<RosterSort, Row>;
}

const rowsOf = (entry: RosterEntry, ordinal: number): Map<RosterSort, Row> =>
  new Map(rosterSorts.map((sort) => [sort, rowOf(entry, rosterPosition(entry, sort), ordinal)]));
const surrogate = /[\uD800-\uDFFF]/;

function keyOf(position: RosterPosition): Key {
  const a = position.key[0] ?? '';
  const b = String(position.key[1] ?? '');
  const plain = !(typeof a === 'string' && surrogate.test(a)) && !surrogate.test(b) && !surrogate.test(position.userId);
  return { position, a, b, u: position.userId, plain };
}

function rowOf(entry: RosterEntry, position: RosterPosition, ordinal: number): Row {
  return { entry, ordinal, ...keyOf(position) };
}

function compareKeys(x: Key, y: Key): number {
  if (!x.plain || !y.plain) return comparePositions(x.position, y.position);
  if (x.a !== y.a) return typeof x.a === 'number' ? x.a - (y.a as number) : x.a < y.a ? -1 : 1;
  if (x.b !== y.b) return x.b < y.b ? -1 : 1;
  return x.u === y.u ? 0 : x.u < y.u ? -1 : 1;
}

/** First index whose row sorts strictly after `key` (ascending). */
function upperBound(rows: readonly Row[], key: Key): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(rows[mid] as Row, key) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose row sorts at or after `key` (ascending). */
function lowerBound(rows: readonly Row[], key: Key): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareKeys(rows[mid] as Row, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const sameKeys = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((k, i) => k === b[i]);

/**
 * One organisation's roster, kept sorted once per sort key, with an n-gram search index. A page
 * is a binary search to the cursor plus a walk that stops after `limit + 1` rows (testing one
 * typed-array slot per row when searching); a total is the size of the roster or of the search's
 * match set. Nothing is sorted or scanned in full per request.
 */
export class RosterIndex {
  private readonly members = new Map<string, Member>();
  private readonly sorted = new Map<RosterSort, Row[]>(rosterSorts.map((sort) => [sort, []]));
  private readonly search = new RosterSearch();
  private readonly byOrdinal = new Map<number, Member>();

  get size(): number {
    return this.members.size;
  }

  /** Fills an empty roster at once (one sort per key instead of one insertion per member). */
  load(entries: Iterable<RosterEntry>): void {
    if (this.members.size > 0) throw new Error('RosterIndex.load fills an empty roster; use upsert and remove to change one');
    for (const entry of entries) {
      const keys = [textKey(entry.name), textKey(entry.email)];
      const ordinal = this.search.add(keys);
      const member: Member = { entry, keys, ordinal, rows: rowsOf(entry, ordinal) };
      this.members.set(entry.userId, member);
      this.byOrdinal.set(ordinal, member);
      for (const [sort, row] of member.rows) this.sorted.get(sort)?.push(row);
    }
    for (const rows of this.sorted.values()) rows.sort(compareKeys);
  }

  /** Adds the entry or replaces the one with the same user id. */
  upsert(entry: RosterEntry): void {
    const existing = this.members.get(entry.userId);
    const keys = [textKey(entry.name), textKey(entry.email)];
    let ordinal: number;
    if (existing !== undefined && sameKeys(existing.keys, keys)) {
      this.unsort(existing);
      ordinal = existing.ordinal;
    } else {
      if (existing !== undefined) this.remove(entry.userId);
      ordinal = this.search.add(keys);
    }
    const member: Member = { entry, keys, ordinal, rows: rowsOf(entry, ordinal) };
    this.members.set(entry.userId, member);
    this.byOrdinal.set(ordinal, member);
    for (const [sort, row] of member.rows) {
      const rows = this.sorted.get(sort) ?? [];
      rows.splice(upperBound(rows, row), 0, row);
    }
  }

  remove(userId: string): void {
    const existing = this.members.get(userId);
    if (existing === undefined) return;
    this.members.delete(userId);
    this.byOrdinal.delete(existing.ordinal);
    this.unsort(existing);
    this.search.remove(existing.ordinal);
  }

  get(userId: string): RosterEntry | undefined {
    return this.members.get(userId)?.entry;
  }

  page(query: RosterQuery): RosterIndexPage {
    const rows = this.sorted.get(query.sort) ?? [];
    const { term, limit, after } = query;
    // Few matches: sort them rather than walk the whole roster looking for them.
    const matches = term === null ? undefined : this.search.matches(term, Math.max(64, rows.length >>> 6));
    if (matches?.count === 0) return { items: [], total: 0, hasMore: false };
    if (matches?.ordinals !== undefined) return this.pageOfFew(matches.ordinals, query, matches.count);
    const items: RosterEntry[] = [];
    let hasMore = false;
    const step = query.order === 'asc' ? 1 : -1;
    const afterKey = after === null ? null : keyOf(after);
    let i = query.order === 'asc' ? (afterKey === null ? 0 : upperBound(rows, afterKey)) : (afterKey === null ? rows.length : lowerBound(rows, afterKey)) - 1;
    for (; i >= 0 && i < rows.length; i += step) {
      const row = rows[i] as Row;
      if (matches !== undefined && matches.stamps[row.ordinal] !== matches.stamp) continue;
      if (items.length === limit) {
        hasMore = true;
        break;
      }
      items.push(row.entry);
    }
    return { items, total: matches?.count ?? this.members.size, hasMore };
  }

  private pageOfFew(ordinals: readonly number[], query: RosterQuery, total: number): RosterIndexPage {
    const direction = query.order === 'asc' ? 1 : -1;
    const { after, limit, sort } = query;
    const afterKey = after === null ? null : keyOf(after);
    const candidates: Row[] = [];
    for (const ordinal of ordinals) {
      const row = this.byOrdinal.get(ordinal)?.rows.get(sort);
      if (row !== undefined && (afterKey === null || direction * compareKeys(row, afterKey) > 0)) candidates.push(row);
    }
    candidates.sort((a, b) => direction * compareKeys(a, b));
    return { items: candidates.slice(0, limit).map((row) => row.entry), total, hasMore: candidates.length > limit };
  }

  private unsort(member: Member): void {
    for (const [sort, row] of member.rows) {
      const rows = this.sorted.get(sort) ?? [];
      rows.splice(lowerBound(rows, row), 1);
    }
  }
}
