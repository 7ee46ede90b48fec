import {
  ConcurrencyConflictError,
  EmailInUseError,
  type DirectoryUser,
  type DirectoryUserUpdate,
  type UserActivity,
  type UserDirectory,
} from '@partner-team/core';
import type { AnyBulkWriteOperation } from 'mongodb';
import { maxTimeMS, type Collections } from './collections.js';
import { emailId, profileOf, userKey, type EmailDoc, type ProfileDoc, type UserDoc } from './documents.js';
import type { MembershipClaims } from './membership-claims.js';
import type { OrganisationLog } from './organisation-log.js';
import { guarded } from './store-errors.js';
import { inCommands } from './bulk-writes.js';
import type { RecentUserDocs } from './user-docs.js';

type Write = AnyBulkWriteOperation<UserDoc>;

/**
 * The directory in `users`: a document per user (`_id` = user id) and one per email address
 * (`_id` = "@<email>", with a copy of the profile), so both lookups are one `_id` equality. A change
 * of a member's profile is also appended to their organisation's sequence, which is how every
 * process's roster shows it.
 */
export class MongoUserDirectory implements UserDirectory {
  constructor(
    private readonly c: Collections,
    private readonly log: OrganisationLog,
    private readonly claims: MembershipClaims,
    private readonly recentDocs: RecentUserDocs,
    private readonly freshnessMs = 250,
  ) {}

  async findById(userId: string): Promise<DirectoryUser | undefined> {
    // A member whose organisation this process confirms (or confirmed a moment ago, as the request's
    // own membership check does): the view holds the profile.
    const { claim, cached } = await this.claims.latestCached(userId);
    const view = cached && claim !== undefined && this.log.heldView(claim.o) !== undefined ? await this.log.recent(claim.o, this.freshnessMs) : undefined;
    const held = view?.profileOf(userId);
    if (held !== undefined) return { id: userId, name: held.n, email: held.e, mfaEnabled: held.m, lastActiveAt: held.l };
    const doc = await guarded(() => this.c.users.findOne({ _id: userId }, { maxTimeMS }));
    if (doc === null) return undefined;
    this.recentDocs.remember(doc);
    return userFromDoc(doc);
  }

  async findByIds(userIds: readonly string[]): Promise<DirectoryUser[]> {
    if (userIds.length === 0) return [];
    return [...(await this.usersById([...new Set(userIds)])).values()].map(userFromDoc);
  }

  async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const doc = await guarded(() => this.c.emails.findOne({ _id: emailId(email) }, { maxTimeMS }));
    return doc === null ? undefined : { id: doc.u, name: doc.name, email: doc.email, mfaEnabled: doc.mfa, lastActiveAt: doc.last };
  }

  async upsert(updates: readonly DirectoryUserUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const final = new Map(updates.map((u) => [u.id, u]));
    const existing = await this.usersById([...final.keys()]);
    const holders = await this.holdersOf([...new Set([...final.values()].map((u) => u.email))]);
    // After the batch no address may belong to two users; a holder outside the batch keeps its own.
    const owner = new Map<string, string>();
    for (const [id, update] of final) {
      const other = owner.get(update.email);
      const holder = holders.get(update.email);
      const holderKeeps = holder !== undefined && holder !== id && (!final.has(holder) || final.get(holder)?.email === update.email);
      if ((other !== undefined && other !== id) || holderKeeps) throw new EmailInUseError(update.email);
      owner.set(update.email, id);
    }
    const t = Date.now();
    const docs: UserDoc[] = [];
    for (const [id, u] of final) {
      const last = u.lastActiveAt === undefined ? (existing.get(id)?.last ?? null) : u.lastActiveAt;
      docs.push({ _id: id, name: u.name, email: u.email, mfa: u.mfaEnabled, last, t });
    }
    await this.write(docs, existing);
  }

  async recordActivity(activity: readonly UserActivity[]): Promise<void> {
    if (activity.length === 0) return;
    const latest = new Map<string, Date>();
    for (const { userId, at } of activity) if ((latest.get(userId)?.getTime() ?? -1) < at.getTime()) latest.set(userId, at);
    const existing = await this.usersById([...latest.keys()]);
    const t = Date.now();
    const docs: UserDoc[] = [];
    for (const [userId, at] of latest) {
      const before = existing.get(userId);
      if (before === undefined || (before.last !== null && before.last.getTime() >= at.getTime())) continue;
      docs.push({ ...before, last: at, t });
    }
    await this.write(docs, existing);
  }

  /** Adds or replaces a user without the email check (seeding and tests). */
  async putUser(user: DirectoryUser): Promise<void> {
    const existing = await this.usersById([user.id]);
    await this.write([{ _id: user.id, name: user.name, email: user.email, mfa: user.mfaEnabled, last: user.lastActiveAt, t: Date.now() }], existing);
  }

  /** Writes users and their email entries (addresses given up first), then their organisations' rosters. */
  private async write(all: readonly UserDoc[], existing: ReadonlyMap<string, UserDoc>): Promise<void> {
    // Writing what is already stored would only move `t`: a reload of the same users changes nothing.
    const docs = all.filter((d) => {
      const before = existing.get(d._id);
      return before === undefined || before.name !== d.name || before.email !== d.email || before.mfa !== d.mfa || !sameInstant(before.last, d.last);
    });
    if (docs.length === 0) return;
    const released: Write[] = [];
    const written: Write[] = [];
    for (const doc of docs) {
      const before = existing.get(doc._id);
      if (before !== undefined && before.email !== doc.email) released.push({ deleteOne: { filter: { _id: emailId(before.email), u: doc._id } } });
      const { _id, ...profile } = doc;
      const email: EmailDoc = { _id: emailId(doc.email), u: _id, ...profile };
      if (before === undefined) written.push({ insertOne: { document: doc } });
      else written.push({ replaceOne: { filter: { _id }, replacement: profile } });
      written.push({ replaceOne: { filter: { _id: email._id }, replacement: email, upsert: true } });
    }
    await inCommands(released, (slice) => guarded(() => this.c.users.bulkWrite(slice, { ordered: false })));
    await inCommands(written, (slice) => guarded(() => this.c.users.bulkWrite(slice, { ordered: false })));
    await this.refreshRosters(docs);
  }

  /** Appends the new profiles of members to their organisations' sequences (one entry per organisation). */
  private async refreshRosters(docs: readonly UserDoc[]): Promise<void> {
    const byOrganisation = new Map<string, Record<string, ProfileDoc>>();
    for (const doc of docs) {
      const { claim } = await this.claims.latestCached(doc._id);
      if (claim === undefined) continue;
      const profiles = byOrganisation.get(claim.o) ?? {};
      profiles[userKey(doc._id)] = profileOf(doc);
      byOrganisation.set(claim.o, profiles);
    }
    for (const [organisationId, profiles] of byOrganisation) {
      for (let attempt = 1; ; attempt += 1) {
        const view = await this.log.current(organisationId);
        if (view === undefined) break;
        const members = Object.fromEntries(Object.entries(profiles).filter(([, p]) => view.isMember(p.u)));
        if (Object.keys(members).length === 0) break;
        try {
          await this.log.append(organisationId, view.seq, { c: null, p: members, e: [] }, { addTokens: [], dropTokens: [] });
          break;
        } catch (error: unknown) {
          if (!(error instanceof ConcurrencyConflictError) || attempt >= 8) throw error;
        }
      }
    }
  }

  private async usersById(ids: readonly string[]): Promise<Map<string, UserDoc>> {
    const docs =
      ids.length === 1
        ? [await guarded(() => this.c.users.findOne({ _id: ids[0] as string }, { maxTimeMS }))].filter((d) => d !== null)
        : await guarded(() => this.c.users.find({ _id: { $in: [...ids] } }, { maxTimeMS }).toArray());
    return new Map(docs.map((d) => [d._id, d]));
  }

  private async holdersOf(emails: readonly string[]): Promise<Map<string, string>> {
    const docs =
      emails.length === 1
        ? [await guarded(() => this.c.emails.findOne({ _id: emailId(emails[0] as string) }, { maxTimeMS }))].filter((d) => d !== null)
        : await guarded(() => this.c.emails.find({ _id: { $in: emails.map(emailId) } }, { maxTimeMS }).toArray());
    return new Map(docs.map((d) => [d.email, d.u]));
  }
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}

function userFromDoc(doc: UserDoc): DirectoryUser {
  return { id: doc._id, name: doc.name, email: doc.email, mfaEnabled: doc.mfa, lastActiveAt: doc.last };
}
