import type { OrganisationChange, OrganisationRecord, OrganisationRepository } from '@partner-team/core';
import { maxTimeMS, type Collections } from './collections.js';
import { changeToDoc, eventToDoc, profileOf, userKey, type ProfileDoc } from './documents.js';
import type { MembershipClaims } from './membership-claims.js';
import type { OrganisationLog } from './organisation-log.js';
import { organisationOfMember } from './membership-of.js';
import { guarded } from './store-errors.js';
import type { RecentUserDocs } from './user-docs.js';

/** Most audit events one entry may carry. */
export const auditEventsPerEntry = 16;

/**
 * The organisation repository: a decision loads the organisation from this process's view,
 * confirmed to be the head by one read of a ring slot, and its change is appended to the
 * organisation's sequence as one entry holding the change and its audit events (see
 * {@link OrganisationLog}). Members the change adds first hold their membership claim, and the
 * entry carries their profiles, so every view can show them in the roster.
 */
export class MongoOrganisationRepository implements OrganisationRepository {
  constructor(
    private readonly c: Collections,
    private readonly log: OrganisationLog,
    private readonly claims: MembershipClaims,
    private readonly recentDocs: RecentUserDocs,
  ) {}

  async loadForMember(userId: string, teammates: readonly string[] = []): Promise<OrganisationRecord | undefined> {
    const view = await organisationOfMember(this.claims, this.log, userId);
    return view?.record([userId, ...teammates]);
  }

  async load(organisationId: string, users: readonly string[] = []): Promise<OrganisationRecord | undefined> {
    return (await this.log.current(organisationId))?.record(users);
  }

  async save(change: OrganisationChange, expectedVersion: number): Promise<void> {
    const organisationId = change.organisationId;
    if (change.events.length > auditEventsPerEntry || change.events.some((e) => e.organisationId !== organisationId)) {
      throw new RangeError(`audit events must belong to the saved organisation (at most ${auditEventsPerEntry} per save)`);
    }
    const view = this.log.heldView(organisationId);
    if (expectedVersion === 0 && change.profile === null) throw new RangeError('creating an organisation needs its profile');
    const now = new Date();
    const added = change.upsertedMembers.filter((m) => view === undefined || expectedVersion === 0 || !view.isMember(m.userId));
    // Claims first: an entry that adds a member exists only once the member's claim is held. Members
    // added directly (a creation, an import, a restore) are claimed together: users who never had a
    // claim take their first in one insert, whatever the organisation's version.
    const accepted = (userId: string) => change.upsertedInvitations.find((i) => i.acceptedBy === userId && i.status === 'accepted');
    const direct = added.filter((m) => accepted(m.userId) === undefined).map((m) => m.userId);
    if (direct.length > 1) await this.claims.claimMany(direct, organisationId, now);
    else for (const userId of direct) await this.claims.claim(userId, organisationId, null, now);
    for (const m of added) {
      const invitation = accepted(m.userId);
      if (invitation !== undefined) await this.claims.claim(m.userId, organisationId, invitation.id, now);
    }
    const before = expectedVersion === 0 || view === undefined ? new Map<string, string>() : view.tokenHashes();
    const after = new Map(before);
    for (const id of change.removedInvitations) after.delete(id);
    for (const i of change.upsertedInvitations) after.set(i.id, i.tokenHash);
    const known = new Set(before.values());
    const kept = new Set(after.values());
    await this.log.append(
      organisationId,
      expectedVersion,
      { c: changeToDoc(change), p: await this.profilesOf(added.map((m) => m.userId)), e: change.events.map(eventToDoc) },
      { addTokens: [...kept].filter((h) => !known.has(h)), dropTokens: [...known].filter((h) => !kept.has(h)) },
    );
  }

  async findByInvitationTokenHash(tokenHash: string): Promise<string | undefined> {
    const doc = await guarded(() => this.c.tokens.findOne({ _id: tokenHash }, { maxTimeMS }));
    return doc?.o;
  }

  /** The directory profiles of users who join, for the entry that adds them. */
  private async profilesOf(userIds: readonly string[]): Promise<Record<string, ProfileDoc>> {
    if (userIds.length === 0) return {};
    const known = userIds.map((id) => this.recentDocs.get(id));
    const docs =
      known.every((d) => d !== undefined)
        ? known
        : userIds.length === 1
          ? [await guarded(() => this.c.users.findOne({ _id: userIds[0] as string }, { maxTimeMS }))].filter((d) => d !== null)
          : await guarded(() => this.c.users.find({ _id: { $in: [...userIds] } }, { maxTimeMS }).toArray());
    return Object.fromEntries(docs.map((d) => [userKey(d._id), profileOf(d)]));
  }
}
