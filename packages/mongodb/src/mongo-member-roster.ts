import type { MemberRoster, RosterEntry, RosterPage, RosterQuery } from '@partner-team/core';
import type { Document, Filter, Sort } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS, type CommitLog } from './commit-log.js';
import type { MemberRowDoc } from './documents.js';
import { guarded } from './store-errors.js';

const sortKeys: Record<RosterQuery['sort'], readonly (keyof MemberRowDoc)[]> = {
  name: ['n', 'u'],
  email: ['e', 'u'],
  role: ['r', 'n', 'u'],
  lastActiveAt: ['l', 'u'],
};

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The find and count a roster query issues on the projection: filter on (organisation, active),
 * optional substring search on the name and email keys, keyset after the cursor position, sorted
 * by the sort's index. Exported so that the benchmark can explain exactly these queries.
 */
export function rosterQueryPlan(organisationId: string, query: RosterQuery): { filter: Document; sort: Sort; countFilter: Document } {
  const keys = sortKeys[query.sort];
  const direction = query.order === 'asc' ? 1 : -1;
  const base: Document = { o: organisationId, a: true };
  const search: Document | undefined =
    query.term === null ? undefined : { $or: [{ n: { $regex: escapeRegex(query.term) } }, { e: { $regex: escapeRegex(query.term) } }] };
  const clauses: Document[] = [base];
  if (search !== undefined) clauses.push(search);
  if (query.after !== null) {
    const values = [...query.after.key, query.after.userId];
    const op = direction === 1 ? '$gt' : '$lt';
    clauses.push({
      $or: keys.map((key, i) => {
        const clause: Document = {};
        for (let k = 0; k < i; k += 1) clause[keys[k] as string] = values[k];
        clause[key] = { [op]: values[i] };
        return clause;
      }),
    });
  }
  return {
    filter: clauses.length === 1 ? base : { $and: clauses },
    sort: Object.fromEntries(keys.map((k) => [k, direction])),
    countFilter: search === undefined ? base : { $and: [base, search] },
  };
}

/**
 * The roster from its projection (see {@link rosterQueryPlan}). Returns exactly what
 * `referenceRosterPage` returns (strings compare by UTF-8 bytes = code points). The page and the
 * total are fetched concurrently.
 */
export class MongoMemberRoster implements MemberRoster {
  constructor(
    private readonly c: Collections,
    private readonly log: CommitLog,
  ) {}

  async page(organisationId: string, query: RosterQuery): Promise<RosterPage> {
    const { filter, sort, countFilter } = rosterQueryPlan(organisationId, query);
    // Unsearched, the total is the team size: the head's member count when this process read the head
    // within the last second (a membership check just did, in the same request), else a count.
    const known = query.term === null ? this.log.recentMemberCount(organisationId) : undefined;
    const [rows, total] = await Promise.all([
      guarded(() =>
        this.c.members
          .find(filter as Filter<MemberRowDoc>, { sort, limit: query.limit + 1, projection: { u: 1, name: 1, email: 1, r: 1, mfa: 1, last: 1 }, maxTimeMS })
          .toArray(),
      ) as Promise<Pick<MemberRowDoc, 'u' | 'name' | 'email' | 'r' | 'mfa' | 'last'>[]>,
      known ?? guarded(() => this.c.members.countDocuments(countFilter as Filter<MemberRowDoc>, { maxTimeMS })),
    ]);
    const items = rows.slice(0, query.limit).map(
      (r): RosterEntry => ({ userId: r.u, name: r.name, email: r.email, role: r.r, mfaEnabled: r.mfa, lastActiveAt: r.last }),
    );
    return { items, total, hasMore: rows.length > query.limit };
  }
}
