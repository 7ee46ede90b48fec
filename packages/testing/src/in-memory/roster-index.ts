import {
  comparePositions,
  matchesRosterSearch,
  rosterPosition,
  rosterSorts,
  type RosterEntry,
  type RosterPage,
  type RosterPosition,
  type RosterQuery,
  type RosterSort,
} from '@partner-team/core';

interface Row {
  readonly entry: RosterEntry;
  readonly position: RosterPosition;
}

/** First index whose row sorts strictly after `position` (ascending). */
function upperBound(rows: readonly Row[], position: RosterPosition): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePositions((rows[mid] as Row).position, position) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index whose row sorts at or after `position` (ascending). */
function lowerBound(rows: readonly Row[], position: RosterPosition): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePositions((rows[mid] as Row).position, position) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One organisation's roster, kept sorted once per sort key so that a page is a binary search plus a
 * walk of `limit` rows, not a sort of the whole team per request.
 */
export class RosterIndex {
  private readonly entries = new Map<string, RosterEntry>();
  private readonly sorted = new Map<RosterSort, Row[]>(rosterSorts.map((sort) => [sort, []]));

  get size(): number {
    return this.entries.size;
  }

  /** Adds the entry or replaces the one with the same user id. */
  upsert(entry: RosterEntry): void {
    this.remove(entry.userId);
    this.entries.set(entry.userId, entry);
    for (const [sort, rows] of this.sorted) {
      const position = rosterPosition(entry, sort);
      rows.splice(upperBound(rows, position), 0, { entry, position });
    }
  }

  remove(userId: string): void {
    const existing = this.entries.get(userId);
    if (existing === undefined) return;
    this.entries.delete(userId);
    for (const [sort, rows] of this.sorted) {
      rows.splice(lowerBound(rows, rosterPosition(existing, sort)), 1);
    }
  }

  get(userId: string): RosterEntry | undefined {
    return this.entries.get(userId);
  }

  page(query: RosterQuery): RosterPage {
    const rows = this.sorted.get(query.sort) ?? [];
    const { term, limit, after } = query;
    const items: RosterEntry[] = [];
    let hasMore = false;
    const take = (row: Row): boolean => {
      if (term !== null && !matchesRosterSearch(row.entry, term)) return true;
      if (items.length === limit) {
        hasMore = true;
        return false;
      }
      items.push(row.entry);
      return true;
    };
    if (query.order === 'asc') {
      for (let i = after === null ? 0 : upperBound(rows, after); i < rows.length && take(rows[i] as Row); i += 1);
    } else {
      for (let i = (after === null ? rows.length : lowerBound(rows, after)) - 1; i >= 0 && take(rows[i] as Row); i -= 1);
    }
    let total = this.entries.size;
    if (term !== null) {
      total = 0;
      for (const entry of this.entries.values()) if (matchesRosterSearch(entry, term)) total += 1;
    }
    return { items, total, hasMore };
  }
}
