import {
  compareText,
  maxAuditEventsPerSave,
  type AssignedClient,
  type AuditLog,
  type ClientAssignments,
  type DirectoryUser,
  type LoggedAuditEvent,
  type MemberContext,
  type MemberContextWithTeammate,
  type MemberRoster,
  type MembershipLookup,
  type RosterEntry,
  type RosterPage,
  type RosterQuery,
  type UserDirectory,
} from '@partner-team/core';
import type { Document, Filter, Sort } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS, type CommitLog } from './commit-log.js';
import { commitId, idRange, eventFromDoc, type AuditEventDoc, type CommitDoc, type MemberRowDoc, type UserDoc } from './documents.js';
import { profileFields } from './roster-projection.js';
import type { MembershipClaims } from './membership-claims.js';
import { guarded } from './store-errors.js';

/**
 * Membership by user: the latest claim names the candidate organisation, and that organisation's
 * head decides. A claim never grants anything by itself, so a lagging, abandoned or cached claim
 * can only make the answer "not a member" (fail closed) — and before answering that from a cached
 * claim, the claim is read again.
 */
export class MongoMembershipLookup implements MembershipLookup {
  constructor(
    private readonly claims: MembershipClaims,
    private readonly log: CommitLog,
  ) {}

  async findOrganisationId(userId: string): Promise<string | undefined> {
    return (await this.claims.latestCached(userId)).claim?.o;
  }

  findByUser(userId: string): Promise<MemberContext | undefined> {
    return this.resolve(userId, undefined);
  }

  findWithTeammate(userId: string, teammateId: string): Promise<MemberContextWithTeammate | undefined> {
    return this.resolve(userId, teammateId);
  }

  private async resolve(userId: string, teammateId: string | undefined): Promise<MemberContextWithTeammate | undefined> {
    const { claim, cached } = await this.claims.latestCached(userId);
    const found = claim === undefined ? undefined : await this.memberOf(claim.o, userId, teammateId);
    if (found !== undefined || !cached) return found;
    const fresh = await this.claims.latest(userId);
    return fresh === undefined || fresh.o === claim?.o ? undefined : this.memberOf(fresh.o, userId, teammateId);
  }

  private async memberOf(organisationId: string, userId: string, teammateId: string | undefined): Promise<MemberContextWithTeammate | undefined> {
    const head = await this.log.headMembers(organisationId, teammateId === undefined ? [userId] : [userId, teammateId]);
    const member = head?.members.get(userId);
    if (head === undefined || member === undefined) return undefined;
    return {
      organisation: { id: organisationId, ...head.profile },
      membership: { userId, role: member.r, joinedAt: member.j },
      ...(head.memberCount === undefined ? {} : { memberCount: head.memberCount }),
      teammateIsMember: teammateId !== undefined && head.members.has(teammateId),
    };
  }
}

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
  constructor(private readonly c: Collections) {}

  async page(organisationId: string, query: RosterQuery, knownMemberCount?: number): Promise<RosterPage> {
    const { filter, sort, countFilter } = rosterQueryPlan(organisationId, query);
    // Unsearched, the total is the team size, which the membership check already read from the head.
    const counted = query.term === null && knownMemberCount !== undefined;
    const [rows, total] = await Promise.all([
      guarded(() =>
        this.c.members
          .find(filter as Filter<MemberRowDoc>, { sort, limit: query.limit + 1, projection: { u: 1, name: 1, email: 1, r: 1, mfa: 1, last: 1 }, maxTimeMS })
          .toArray(),
      ) as Promise<Pick<MemberRowDoc, 'u' | 'name' | 'email' | 'r' | 'mfa' | 'last'>[]>,
      counted ? knownMemberCount : guarded(() => this.c.members.countDocuments(countFilter as Filter<MemberRowDoc>, { maxTimeMS })),
    ]);
    const items = rows.slice(0, query.limit).map(
      (r): RosterEntry => ({ userId: r.u, name: r.name, email: r.email, role: r.r, mfaEnabled: r.mfa, lastActiveAt: r.last }),
    );
    return { items, total, hasMore: rows.length > query.limit };
  }
}

/** Audit events straight from the commits that carry them: immutable, and never without their state. */
export class MongoAuditLog implements AuditLog {
  constructor(private readonly c: Collections) {}

  async page(
    organisationId: string,
    query: { readonly limit: number; readonly beforePosition: number | null },
  ): Promise<{ readonly items: readonly LoggedAuditEvent[]; readonly hasMore: boolean }> {
    // position = seq * width + index within the commit (a save carries at most `width` events).
    const width = maxAuditEventsPerSave;
    const range = idRange(organisationId);
    const upper = query.beforePosition === null ? range.$lt : commitId(organisationId, Math.floor((query.beforePosition - 1) / width) + 1);
    const docs = await guarded(() =>
      this.c.commits
        .find({ _id: { ...range, $lt: upper }, ev: { $gt: 0 } } as Filter<CommitDoc>, {
          sort: { _id: -1 },
          limit: query.limit + 1,
          projection: { s: 1, events: 1 },
          maxTimeMS,
        })
        .toArray(),
    );
    // Commits come newest first; within one, later events are newer: walk them backwards.
    const logged: LoggedAuditEvent[] = [];
    for (const doc of docs) {
      for (let i = doc.events.length - 1; i >= 0; i -= 1) {
        const position = doc.s * width + i;
        if (query.beforePosition === null || position < query.beforePosition) logged.push({ event: eventFromDoc(organisationId, doc.events[i] as AuditEventDoc), position });
      }
    }
    return { items: logged.slice(0, query.limit), hasMore: logged.length > query.limit };
  }
}

export class MongoUserDirectory implements UserDirectory {
  constructor(private readonly c: Collections) {}

  async findById(userId: string): Promise<DirectoryUser | undefined> {
    const doc = await guarded(() => this.c.users.findOne({ _id: userId }, { maxTimeMS }));
    return doc === null ? undefined : userFromDoc(doc);
  }

  async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const doc = await guarded(() => this.c.users.findOne({ email }, { maxTimeMS }));
    return doc === null ? undefined : userFromDoc(doc);
  }

  /**
   * Adds or replaces a user and refreshes the profile copied into their roster rows (how the
   * portal keeps names, emails, MFA and last activity current).
   */
  async putUser(user: DirectoryUser): Promise<void> {
    const doc = { name: user.name, email: user.email, mfa: user.mfaEnabled, last: user.lastActiveAt };
    await guarded(() => this.c.users.replaceOne({ _id: user.id }, doc, { upsert: true }));
    await guarded(() => this.c.members.updateMany({ u: user.id }, { $set: profileFields(doc) }));
  }
}

function userFromDoc(doc: UserDoc): DirectoryUser {
  return { id: doc._id, name: doc.name, email: doc.email, mfaEnabled: doc.mfa, lastActiveAt: doc.last };
}

export class MongoClientAssignments implements ClientAssignments {
  constructor(private readonly c: Collections) {}

  async assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]> {
    const docs = await guarded(() => this.c.assignments.find({ o: organisationId, u: userId }, { maxTimeMS }).toArray());
    return docs.map((d) => ({ clientId: d.c, name: d.n })).sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }

  async putClient(client: AssignedClient): Promise<void> {
    await guarded(() => this.c.clients.replaceOne({ _id: client.clientId }, { name: client.name }, { upsert: true }));
    await guarded(() => this.c.assignments.updateMany({ c: client.clientId }, { $set: { n: client.name } }));
  }

  async assign(organisationId: string, userId: string, clientId: string): Promise<void> {
    const client = await guarded(() => this.c.clients.findOne({ _id: clientId }, { maxTimeMS }));
    const id = `${organisationId}/${userId}/${clientId}`;
    await guarded(() => this.c.assignments.replaceOne({ _id: id }, { o: organisationId, u: userId, c: clientId, n: client?.name ?? clientId }, { upsert: true }));
  }
}
