import type { Document, Filter } from 'mongodb';
import type { Collections } from './collections.js';
import { commitId, idRange, memberKey, type CommitDoc, type MemberDoc, type StateDoc } from './documents.js';
import { guarded } from './store-errors.js';

export const maxTimeMS = 5000;

/** The head of an organisation: its latest commit's sequence number and state. */
export interface Head {
  readonly seq: number;
  readonly state: StateDoc;
}

/** What a membership check needs from a head: the profile, the asked-for members and the team size. */
export interface HeadMembers {
  readonly seq: number;
  readonly profile: Pick<StateDoc, 'name' | 'status' | 'bootstrapped' | 'invitationsEnabled'>;
  /** The asked-for users that are members, by user id. */
  readonly members: ReadonlyMap<string, MemberDoc>;
  /** Number of members, when the head records it. */
  readonly memberCount: number | undefined;
}

/**
 * Reads of the per-organisation commit sequence. The head is the commit with the highest `_id`
 * in the organisation's range: one index scan on MongoDB, whatever the history length.
 */
export class CommitLog {
  /**
   * The member count of each organisation's head as this process last read or wrote it, and when:
   * a roster page that follows a membership check in the same request takes its unsearched total
   * from there instead of counting (see {@link recentMemberCount}).
   */
  private readonly seen = new Map<string, { seq: number; memberCount: number; at: number }>();

  constructor(
    private readonly c: Collections,
    private readonly recentMs = 1000,
  ) {}

  /** Records the member count of `organisationId` at `seq`, read or written now. */
  saw(organisationId: string, seq: number, memberCount: number): void {
    const known = this.seen.get(organisationId);
    if (known !== undefined && known.seq > seq) return;
    if (known === undefined && this.seen.size >= 10_000) this.seen.clear();
    this.seen.set(organisationId, { seq, memberCount, at: Date.now() });
  }

  /** The member count of the organisation's head if this process saw it within the last second. */
  recentMemberCount(organisationId: string): number | undefined {
    const known = this.seen.get(organisationId);
    return known !== undefined && Date.now() - known.at < this.recentMs ? known.memberCount : undefined;
  }

  async head(organisationId: string): Promise<Head | undefined> {
    const doc = await guarded(() =>
      this.c.commits.findOne({ _id: idRange(organisationId) } as Filter<CommitDoc>, {
        sort: { _id: -1 },
        projection: { s: 1, state: 1, mc: 1 },
        maxTimeMS,
      }),
    );
    if (doc?.state === undefined) return undefined;
    if (doc.mc !== undefined) this.saw(organisationId, doc.s, doc.mc);
    return { seq: doc.s, state: doc.state };
  }

  /** The state committed at `seq`, when that commit still carries it. */
  async stateAt(organisationId: string, seq: number): Promise<StateDoc | undefined> {
    const doc = await guarded(() => this.c.commits.findOne({ _id: commitId(organisationId, seq) }, { projection: { state: 1 }, maxTimeMS }));
    return doc?.state;
  }

  /** The head's profile, member count and the given users' memberships, without transferring the rest of the state. */
  async headMembers(organisationId: string, userIds: readonly string[]): Promise<HeadMembers | undefined> {
    const projection: Document = { s: 1, mc: 1, 'state.name': 1, 'state.status': 1, 'state.bootstrapped': 1, 'state.invitationsEnabled': 1 };
    for (const userId of userIds) projection[`state.members.${memberKey(userId)}`] = 1;
    const doc = await guarded(() =>
      this.c.commits.findOne({ _id: idRange(organisationId) } as Filter<CommitDoc>, { sort: { _id: -1 }, projection, maxTimeMS }),
    );
    if (doc?.state === undefined) return undefined;
    if (doc.mc !== undefined) this.saw(organisationId, doc.s, doc.mc);
    const { name, status, bootstrapped, invitationsEnabled, members } = doc.state as Partial<StateDoc> & Pick<StateDoc, 'name' | 'status' | 'bootstrapped' | 'invitationsEnabled'>;
    const found = new Map<string, MemberDoc>();
    for (const userId of userIds) {
      const member = members?.[memberKey(userId)];
      if (member !== undefined) found.set(userId, member);
    }
    return { seq: doc.s, profile: { name, status, bootstrapped, invitationsEnabled }, members: found, memberCount: doc.mc };
  }

  /** The writer nonce of commit `seq`, to recognise one's own insert after an ambiguous failure. */
  async writerOf(organisationId: string, seq: number): Promise<string | undefined> {
    const doc = await guarded(() => this.c.commits.findOne({ _id: commitId(organisationId, seq) }, { projection: { w: 1 }, maxTimeMS }));
    return doc?.w;
  }

  /** Organisations with a commit at or after `since`. */
  async organisationsChangedSince(since: Date): Promise<string[]> {
    // No maxTimeMS: FerretDB refuses it on distinct; the client's socket timeout still bounds it.
    return guarded(() => this.c.commits.distinct('o', { at: { $gte: since } }));
  }

  async allOrganisations(): Promise<string[]> {
    return guarded(() => this.c.commits.distinct('o', {}));
  }

  /**
   * Drops the state from commits older than `keepFrom` (they keep their audit events). Only the
   * head is ever read for state; a margin of several commits keeps in-flight loads safe.
   */
  async compact(organisationId: string, keepFrom: number): Promise<void> {
    await guarded(() =>
      this.c.commits.updateMany(
        { _id: { ...idRange(organisationId), $lt: commitId(organisationId, keepFrom) }, state: { $exists: true } },
        { $unset: { state: '' } },
        { maxTimeMS },
      ),
    );
  }
}
