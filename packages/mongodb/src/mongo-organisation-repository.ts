import { randomUUID } from 'node:crypto';
import {
  ConcurrencyConflictError,
  managesTeam,
  type AssignedClient,
  type Logger,
  type Membership,
  type OrganisationChange,
  type OrganisationRecord,
  type OrganisationRepository,
} from '@partner-team/core';
import type { Collections } from './collections.js';
import { maxTimeMS, type CommitLog } from './commit-log.js';
import { commitId, eventToDoc, memberKey, type AssignmentEntryDoc, type CommitDoc, type StateDoc } from './documents.js';
import type { MembershipClaims } from './membership-claims.js';
import type { RosterProjection } from './roster-projection.js';
import { guarded, isDuplicateKey } from './store-errors.js';

/** Compaction runs on every `compactEvery`-th commit and keeps the state of the last `keepStates`. */
const compactEvery = 64;
const keepStates = 8;
/** Most audit events one commit may carry: the audit log's positions are `seq * width + index`. */
export const auditEventsPerCommit = 16;

/**
 * The organisation repository on MongoDB without transactions. Each organisation is a sequence of
 * commits; commit n+1 is one document holding the new state *and* its audit events, inserted under
 * `_id = "<organisationId>/<n+1>"`. The insert is the compare-and-set: if another writer already
 * stored n+1, the duplicate key makes this save a concurrency conflict and nothing of it is kept.
 * State and audit events live in one document, so neither can exist without the other, on any
 * number of processes, on MongoDB and on FerretDB alike.
 *
 * After a successful insert the roster projection is updated; a failure there never fails the save
 * (the commit is the truth, and the projection is repaired from it).
 */
export class MongoOrganisationRepository implements OrganisationRepository {
  /** States handed out by loads, by "<id>@<version>", to apply a change to without a re-read. */
  private readonly loaded = new Map<string, StateDoc>();

  constructor(
    private readonly c: Collections,
    private readonly log: CommitLog,
    private readonly claims: MembershipClaims,
    private readonly projection: RosterProjection,
    private readonly logger: Logger,
  ) {}

  async loadForMember(userId: string, teammates: readonly string[] = []): Promise<OrganisationRecord | undefined> {
    const { claim, cached } = await this.claims.latestCached(userId);
    const record = claim === undefined ? undefined : await this.load(claim.o, [userId, ...teammates]);
    if (record?.members.get(userId) !== null && record !== undefined) return record;
    if (!cached) return undefined;
    // The cached claim may name an organisation the user has left since: read it again.
    const fresh = await this.claims.latest(userId);
    if (fresh === undefined || fresh.o === claim?.o) return undefined;
    const other = await this.load(fresh.o, [userId, ...teammates]);
    return other?.members.get(userId) === null ? undefined : other;
  }

  async load(organisationId: string, users: readonly string[] = []): Promise<OrganisationRecord | undefined> {
    const head = await this.log.head(organisationId);
    if (head === undefined) return undefined;
    this.remember(`${organisationId}@${head.seq}`, head.state);
    const members = new Map<string, Membership | null>();
    const assignments = new Map<string, AssignedClient[]>();
    for (const userId of users) {
      const m = head.state.members[memberKey(userId)];
      members.set(userId, m === undefined ? null : { userId: m.u, role: m.r, joinedAt: new Date(m.j.getTime()) });
      assignments.set(userId, (head.state.assignments?.[memberKey(userId)] ?? []).map((a) => ({ clientId: a.c, name: a.n })));
    }
    let adminCount = 0;
    for (const m of Object.values(head.state.members)) if (managesTeam(m.r)) adminCount += 1;
    return {
      profile: {
        id: organisationId,
        name: head.state.name,
        status: head.state.status,
        bootstrapped: head.state.bootstrapped,
        invitationsEnabled: head.state.invitationsEnabled,
      },
      version: head.seq,
      adminCount,
      members,
      assignments,
      invitations: head.state.invitations.map((i) => ({
        ...i,
        createdAt: new Date(i.createdAt.getTime()),
        expiresAt: new Date(i.expiresAt.getTime()),
        closedAt: i.closedAt === null ? null : new Date(i.closedAt.getTime()),
      })),
    };
  }

  async save(change: OrganisationChange, expectedVersion: number): Promise<void> {
    const organisationId = change.organisationId;
    if (change.events.length > auditEventsPerCommit || change.events.some((e) => e.organisationId !== organisationId)) {
      throw new RangeError(`audit events must belong to the saved organisation (at most ${auditEventsPerCommit} per save)`);
    }
    const key = `${organisationId}@${expectedVersion}`;
    const before = expectedVersion === 0 ? undefined : (this.loaded.get(key) ?? (await this.log.stateAt(organisationId, expectedVersion)));
    this.loaded.delete(key);
    if (expectedVersion > 0 && before === undefined) throw new ConcurrencyConflictError(organisationId);
    if (before === undefined && change.profile === null) throw new RangeError('creating an organisation needs its profile');
    const after = applyChange(before, change);
    const now = new Date();
    await this.claimNewMembers(change, before, now);

    const seq = expectedVersion + 1;
    const writer = randomUUID();
    const known = new Set(before?.invitations.map((i) => i.tokenHash));
    const doc: CommitDoc = {
      _id: commitId(organisationId, seq),
      o: organisationId,
      s: seq,
      at: now,
      state: after,
      events: change.events.map(eventToDoc),
      ev: change.events.length,
      tokens: after.invitations.map((i) => i.tokenHash).filter((hash) => !known.has(hash)),
      w: writer,
      mc: Object.keys(after.members).length,
    };
    try {
      await guarded(() => this.c.commits.insertOne(doc));
    } catch (error: unknown) {
      // The insert may have been applied although its answer was lost (a retried insert then
      // collides with itself; a network error hides it): the writer nonce tells whose commit
      // holds this sequence number.
      const holder = await this.log.writerOf(organisationId, seq).catch(() => undefined);
      if (holder !== writer) throw isDuplicateKey(error) ? new ConcurrencyConflictError(organisationId) : error;
    }
    this.log.saw(organisationId, seq, doc.mc ?? 0);
    try {
      await this.projection.apply(organisationId, seq, before, after, now);
      if (seq % compactEvery === 0) await this.log.compact(organisationId, seq - keepStates);
    } catch (error: unknown) {
      this.logger.warn('roster projection deferred to repair', { organisationId, seq, error: error instanceof Error ? error.name : 'unknown' });
    }
  }

  async findByInvitationTokenHash(tokenHash: string): Promise<string | undefined> {
    const doc = await guarded(() => this.c.commits.findOne({ tokens: tokenHash }, { projection: { o: 1 }, maxTimeMS }));
    return doc?.o;
  }

  /** Every member the change adds must first hold the user's membership claim. */
  private async claimNewMembers(change: OrganisationChange, before: StateDoc | undefined, now: Date): Promise<void> {
    for (const m of change.upsertedMembers) {
      if (before?.members[memberKey(m.userId)] !== undefined) continue;
      const invitation = change.upsertedInvitations.find((i) => i.acceptedBy === m.userId && i.status === 'accepted');
      await this.claims.claim(m.userId, change.organisationId, invitation?.id ?? null, now);
    }
  }

  private remember(key: string, state: StateDoc): void {
    this.loaded.set(key, state);
    // Bounded: a load that is never followed by a save must not leak.
    if (this.loaded.size > 256) {
      const oldest = this.loaded.keys().next();
      if (oldest.done !== true) this.loaded.delete(oldest.value);
    }
  }
}

/** The state after `change`, as the commit stores it (a new object; `before` is left alone). */
function applyChange(before: StateDoc | undefined, change: OrganisationChange): StateDoc {
  const profile = change.profile ?? before;
  if (profile === undefined) throw new RangeError('creating an organisation needs its profile');
  const members = new Map(Object.entries(before?.members ?? {}));
  for (const userId of change.removedMembers) members.delete(memberKey(userId));
  for (const m of change.upsertedMembers) members.set(memberKey(m.userId), { u: m.userId, r: m.role, j: m.joinedAt });
  const invitations = new Map((before?.invitations ?? []).map((i) => [i.id, i]));
  for (const id of change.removedInvitations) invitations.delete(id);
  for (const i of change.upsertedInvitations) invitations.set(i.id, { ...i });
  return {
    name: profile.name,
    status: profile.status,
    bootstrapped: profile.bootstrapped,
    invitationsEnabled: profile.invitationsEnabled,
    members: Object.fromEntries(members),
    invitations: [...invitations.values()],
    assignments: applyAssignments(before?.assignments ?? {}, change),
  };
}

/** The assignments after `change`: a removed member's end with the membership. */
function applyAssignments(before: Readonly<Record<string, AssignmentEntryDoc[]>>, change: OrganisationChange): Record<string, AssignmentEntryDoc[]> {
  const byMember = new Map(Object.entries(before).map(([key, list]) => [key, new Map(list.map((a) => [a.c, a.n]))]));
  for (const userId of change.removedMembers) byMember.delete(memberKey(userId));
  for (const a of change.removedAssignments ?? []) byMember.get(memberKey(a.userId))?.delete(a.clientId);
  for (const a of change.addedAssignments ?? []) {
    const clients = byMember.get(memberKey(a.userId)) ?? new Map<string, string>();
    clients.set(a.clientId, a.name);
    byMember.set(memberKey(a.userId), clients);
  }
  const after: Record<string, AssignmentEntryDoc[]> = {};
  for (const [key, clients] of byMember) if (clients.size > 0) after[key] = [...clients].map(([c, n]) => ({ c, n }));
  return after;
}
