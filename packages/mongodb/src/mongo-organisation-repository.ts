import { randomUUID } from 'node:crypto';
import {
  ConcurrencyConflictError,
  maxAuditEventsPerSave,
  type AuditEvent,
  type Logger,
  type OrganisationRepository,
  type OrganisationState,
  type VersionedOrganisation,
} from '@partner-team/core';
import type { Collections } from './collections.js';
import { maxTimeMS, type CommitLog } from './commit-log.js';
import { commitId, eventToDoc, stateFromDoc, stateToDoc, type CommitDoc, type StateDoc } from './documents.js';
import type { MembershipClaims } from './membership-claims.js';
import type { RosterProjection } from './roster-projection.js';
import { guarded, isDuplicateKey } from './store-errors.js';

/** Compaction runs on every `compactEvery`-th commit and keeps the state of the last `keepStates`. */
const compactEvery = 64;
const keepStates = 8;

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
  /** States handed out by `load`, by "<id>@<version>", to diff against at `save` without a re-read. */
  private readonly loaded = new Map<string, StateDoc>();

  constructor(
    private readonly c: Collections,
    private readonly log: CommitLog,
    private readonly claims: MembershipClaims,
    private readonly projection: RosterProjection,
    private readonly logger: Logger,
  ) {}

  async load(organisationId: string): Promise<VersionedOrganisation | undefined> {
    const head = await this.log.head(organisationId);
    if (head === undefined) return undefined;
    this.remember(`${organisationId}@${head.seq}`, head.state);
    return { state: stateFromDoc(organisationId, head.state), version: head.seq };
  }

  async save(state: OrganisationState, expectedVersion: number, auditEvents: readonly AuditEvent[]): Promise<void> {
    if (auditEvents.length > maxAuditEventsPerSave || auditEvents.some((e) => e.organisationId !== state.id)) {
      throw new RangeError('audit events must belong to the saved organisation (at most 16 per save)');
    }
    const key = `${state.id}@${expectedVersion}`;
    const before = expectedVersion === 0 ? undefined : (this.loaded.get(key) ?? (await this.log.stateAt(state.id, expectedVersion)));
    this.loaded.delete(key);
    if (expectedVersion > 0 && before === undefined) throw new ConcurrencyConflictError(state.id);
    const after = stateToDoc(state);
    const now = new Date();
    await this.claimNewMembers(state, before, now);

    const seq = expectedVersion + 1;
    const writer = randomUUID();
    const known = new Set(before?.invitations.map((i) => i.tokenHash));
    const doc: CommitDoc = {
      _id: commitId(state.id, seq),
      o: state.id,
      s: seq,
      at: now,
      state: after,
      events: auditEvents.map(eventToDoc),
      ev: auditEvents.length,
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
      const holder = await this.log.writerOf(state.id, seq).catch(() => undefined);
      if (holder !== writer) throw isDuplicateKey(error) ? new ConcurrencyConflictError(state.id) : error;
    }
    try {
      await this.projection.apply(state.id, seq, before, after, now);
      if (seq % compactEvery === 0) await this.log.compact(state.id, seq - keepStates);
    } catch (error: unknown) {
      this.logger.warn('roster projection deferred to repair', { organisationId: state.id, seq, error: error instanceof Error ? error.name : 'unknown' });
    }
  }

  async findByInvitationTokenHash(tokenHash: string): Promise<string | undefined> {
    const doc = await guarded(() => this.c.commits.findOne({ tokens: tokenHash }, { projection: { o: 1 }, maxTimeMS }));
    return doc?.o;
  }

  /** Every member the save adds must first hold the user's membership claim. */
  private async claimNewMembers(state: OrganisationState, before: StateDoc | undefined, now: Date): Promise<void> {
    const existing = new Set(Object.values(before?.members ?? {}).map((m) => m.u));
    for (const m of state.memberships) {
      if (existing.has(m.userId)) continue;
      const invitation = state.invitations.find((i) => i.acceptedBy === m.userId && i.status === 'accepted' && before?.invitations.find((b) => b.id === i.id)?.status === 'pending');
      await this.claims.claim(m.userId, state.id, invitation?.id ?? null, now);
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
