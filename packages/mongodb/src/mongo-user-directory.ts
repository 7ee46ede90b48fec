import {
  ConcurrencyConflictError,
  EmailInUseError,
  type DirectoryUser,
  type DirectoryUserUpdate,
  type UserActivity,
  type UserDirectory,
} from '@partner-team/core';
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection, type OptionalUnlessRequiredId } from 'mongodb';
import { maxTimeMS, type Collections } from './collections.js';
import { claimPointerId, emailId, pad, profileOf, userKey, type EmailDoc, type ProfileDoc, type UserDoc } from './documents.js';
import type { MembershipClaims } from './membership-claims.js';
import type { OrganisationLog } from './organisation-log.js';
import { guarded } from './store-errors.js';
import { inCommands } from './bulk-writes.js';
import type { RecentUserDocs } from './user-docs.js';

type Write = AnyBulkWriteOperation<UserDoc>;
type EmailWrite = AnyBulkWriteOperation<EmailDoc>;

/** What taking a batch's new addresses did: entries inserted, taken over from users of the batch, or found ours already. */
interface Taken {
  readonly inserted: EmailDoc[];
  readonly handedOver: { readonly doc: EmailDoc; readonly from: EmailDoc }[];
  readonly held: EmailDoc[];
}

/** Rounds of taking addresses before a batch whose addresses keep being taken and given up gives up. */
const takeRounds = 4;

/**
 * The directory in `users`: a document per user (`_id` = user id) and one per email address
 * (`_id` = "@<email>", `u` = the user who holds it, with a copy of the profile), so each lookup is
 * one `_id` equality. Neither FerretDB nor MongoDB without transactions makes a read-then-write
 * atomic, so an address is taken by *inserting* its entry: the unique `_id` lets one user in, on
 * any number of processes. A user's document names an address only once its entry is theirs, and
 * gives up the old one only after that. A change of a member's profile is also appended to their
 * organisation's sequence, which is how every process's roster shows it.
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
    // A member of an organisation this process confirmed a moment ago (the request's own membership
    // check confirms the actor's): that view holds the profile, the same copy the roster shows. The
    // users document is read only otherwise: an `_id` equality is a scan of the collection on
    // FerretDB, and a PATCH would pay for the size of the directory (ADR 0006).
    const view = this.log.freshViewWithMember(userId, this.freshnessMs);
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
    const wanted = new Map<string, string>();
    for (const [id, update] of final) {
      const other = wanted.get(update.email);
      if (other !== undefined && other !== id) throw new EmailInUseError(update.email);
      wanted.set(update.email, id);
    }
    const existing = await this.usersById([...final.keys()]);
    const t = Date.now();
    const docs: UserDoc[] = [];
    for (const [id, u] of final) {
      const last = u.lastActiveAt === undefined ? (existing.get(id)?.last ?? null) : u.lastActiveAt;
      docs.push({ _id: id, name: u.name, email: u.email, mfa: u.mfaEnabled, last, t });
    }
    // Writing what is already stored would only move `t`: a reload of the same users changes nothing.
    const changed = docs.filter((d) => !sameProfile(existing.get(d._id), d));
    // Documents that hold this profile already but whose roster refresh never finished (a write the
    // store cut short): a retry finishes it.
    const unfinished = docs.flatMap((d) => {
      const before = existing.get(d._id);
      return before?.r === true && sameProfile(before, d) ? [before] : [];
    });
    if (changed.length === 0 && unfinished.length === 0) return;
    for (const d of changed) if (existing.has(d._id)) d.r = true;
    const taken = await this.takeAddresses(
      changed.filter((d) => existing.get(d._id)?.email !== d.email),
      (holder, email) => final.has(holder) && final.get(holder)?.email !== email,
    );
    const fresh = new Set([...taken.inserted, ...taken.handedOver.map((h) => h.doc)].map((d) => d._id));
    const { stored, adopted } = await this.writeUsers(changed, existing, final);
    // The copy of a new address is the profile as inserted, unless the user turned out to exist.
    const copies: EmailWrite[] = changed
      .filter((d) => !fresh.has(emailId(d.email)) || adopted.has(d._id))
      .map((d) => ({ replaceOne: { filter: { _id: emailId(d.email), u: d._id }, replacement: emailCopy(d) } }));
    await inCommands(copies, (slice) => guarded(() => this.c.emails.bulkWrite(slice, { ordered: false })));
    await this.release(changed, stored);
    const refreshed = [...changed.filter((d) => d.r === true), ...unfinished];
    await this.refreshRosters(refreshed);
    await this.settle(refreshed);
  }

  /** Clears the marks of `docs` whose roster refresh is appended (each only if not written since). */
  private async settle(docs: readonly UserDoc[]): Promise<void> {
    const writes: Write[] = docs.map((d) => ({ updateOne: { filter: { _id: d._id, t: d.t }, update: { $unset: { r: '' } } } }));
    await inCommands(writes, (slice) => guarded(() => this.c.users.bulkWrite(slice, { ordered: false })));
    for (const d of docs) Reflect.deleteProperty(d, 'r');
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
    if (docs.length === 0) return;
    // Only the activity is set: a concurrent change of the name or address is not undone.
    const writes: EmailWrite[] = [];
    for (const d of docs) {
      writes.push({ updateOne: { filter: { _id: d._id }, update: { $set: { last: d.last, t } } } });
      writes.push({ updateOne: { filter: { _id: emailId(d.email), u: d._id }, update: { $set: { last: d.last, t } } } });
    }
    await inCommands(writes, (slice) => guarded(() => this.c.emails.bulkWrite(slice, { ordered: false })));
    for (const d of docs) this.recentDocs.remember(d);
    await this.refreshRosters(docs);
  }

  /** Adds or replaces a user without the email check (seeding and tests): the address is theirs whoever held it. */
  async putUser(user: DirectoryUser): Promise<void> {
    const existing = await this.usersById([user.id]);
    const doc: UserDoc = { _id: user.id, name: user.name, email: user.email, mfa: user.mfaEnabled, last: user.lastActiveAt, t: Date.now() };
    if (sameProfile(existing.get(user.id), doc)) return;
    await guarded(() => this.c.emails.replaceOne({ _id: emailId(doc.email) }, emailCopy(doc), { upsert: true, maxTimeMS }));
    const { stored } = await this.writeUsers([doc], existing, new Map());
    await this.release([doc], stored);
    await this.refreshRosters([doc]);
  }

  /**
   * Takes the addresses `docs` name: inserts their "@<email>" entries; an entry that exists is the
   * user's already, or held by a user of the batch who gives it up (`givesUp`: it passes over to
   * the new holder), or someone else's — then the batch is refused and what this call took is
   * given back.
   *
   * @throws EmailInUseError naming the first address held by someone else.
   */
  private async takeAddresses(docs: readonly UserDoc[], givesUp: (holder: string, email: string) => boolean): Promise<Taken> {
    const taken: Taken = { inserted: [], handedOver: [], held: [] };
    let pending: EmailDoc[] = docs.map((d) => ({ _id: emailId(d.email), ...emailCopy(d) }));
    for (let round = 0; pending.length > 0; round += 1) {
      if (round === takeRounds) return this.refuse(taken, pending[0]?.email ?? '');
      const collided = new Set(await insertNew(this.c.emails, pending));
      for (const doc of pending) if (!collided.has(doc._id)) taken.inserted.push(doc);
      const holders = collided.size === 0 ? new Map<string, EmailDoc>() : await this.emailDocs([...collided]);
      const retry: EmailDoc[] = [];
      const handovers: { doc: EmailDoc; from: EmailDoc }[] = [];
      for (const doc of pending.filter((d) => collided.has(d._id))) {
        const holder = holders.get(doc._id);
        if (holder === undefined) retry.push(doc); // given up since: try again
        else if (holder.u === doc.u) taken.held.push(doc);
        else if (givesUp(holder.u, doc.email)) handovers.push({ doc, from: holder });
        else return this.refuse(taken, doc.email);
      }
      for (const handover of handovers) {
        const { _id, ...replacement } = handover.doc;
        const result = await guarded(() => this.c.emails.replaceOne({ _id, u: handover.from.u }, replacement, { maxTimeMS }));
        if (result.matchedCount === 1) taken.handedOver.push(handover);
        else retry.push(handover.doc);
      }
      pending = retry;
    }
    return taken;
  }

  /** Gives back what `taken` took (entries this call wrote, recognised by their `t`), then refuses the batch. */
  private async refuse(taken: Taken, email: string): Promise<never> {
    const undo: EmailWrite[] = [
      ...taken.inserted.map((d): EmailWrite => ({ deleteOne: { filter: { _id: d._id, u: d.u, t: d.t } } })),
      ...taken.handedOver.map(({ doc, from }): EmailWrite => {
        const { _id, ...replacement } = from;
        return { replaceOne: { filter: { _id, u: doc.u, t: doc.t }, replacement } };
      }),
    ];
    await inCommands(undo, (slice) => guarded(() => this.c.emails.bulkWrite(slice, { ordered: false })));
    throw new EmailInUseError(email);
  }

  /**
   * Writes the users documents: new users by insert; a user another process created meanwhile
   * becomes an update of what it stored (keeping its last activity unless `final` sets one).
   * Returns the documents as stored before this write, and the users found created meanwhile.
   */
  private async writeUsers(
    docs: UserDoc[],
    existing: ReadonlyMap<string, UserDoc>,
    final: ReadonlyMap<string, DirectoryUserUpdate>,
  ): Promise<{ stored: Map<string, UserDoc>; adopted: Set<string> }> {
    const stored = new Map(existing);
    const collided = await insertNew(
      this.c.users,
      docs.filter((d) => !existing.has(d._id)),
    );
    const adopted = new Set<string>();
    if (collided.length > 0) {
      for (const [id, doc] of await this.usersById(collided)) {
        stored.set(id, doc);
        adopted.add(id);
        const mine = docs.find((d) => d._id === id);
        if (mine !== undefined && final.has(id) && final.get(id)?.lastActiveAt === undefined) mine.last = doc.last;
      }
    }
    const replaced: Write[] = docs
      .filter((d) => stored.has(d._id))
      .map((d) => {
        const { _id, ...profile } = d;
        return { replaceOne: { filter: { _id }, replacement: profile } };
      });
    await inCommands(replaced, (slice) => guarded(() => this.c.users.bulkWrite(slice, { ordered: false })));
    for (const d of docs) this.recentDocs.remember(d);
    return { stored, adopted };
  }

  /** Gives up the addresses users held before `docs` (each only if still theirs). */
  private async release(docs: readonly UserDoc[], before: ReadonlyMap<string, UserDoc>): Promise<void> {
    const released: EmailWrite[] = [];
    for (const d of docs) {
      const old = before.get(d._id)?.email;
      if (old !== undefined && old !== d.email) released.push({ deleteOne: { filter: { _id: emailId(old), u: d._id } } });
    }
    await inCommands(released, (slice) => guarded(() => this.c.emails.bulkWrite(slice, { ordered: false })));
  }

  /**
   * Appends the new profiles of members to their organisations' sequences (one entry per
   * organisation), routed by each user's latest claim read past its pointer: a user who has just
   * moved (on any process) gets the change in the organisation they are in now.
   */
  private async refreshRosters(docs: readonly UserDoc[]): Promise<void> {
    const organisations = await this.organisationsOf(docs.map((d) => d._id));
    const byOrganisation = new Map<string, Record<string, ProfileDoc>>();
    for (const doc of docs) {
      const organisationId = organisations.get(doc._id);
      if (organisationId === undefined) continue;
      const profiles = byOrganisation.get(organisationId) ?? {};
      profiles[userKey(doc._id)] = profileOf(doc);
      byOrganisation.set(organisationId, profiles);
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

  /**
   * The organisation of each user's latest claim. One user: `MembershipClaims.latest` (pointer, then
   * the claims past it). Many: the same walk, one `$in` read per step for the whole batch, so a sync
   * of thousands costs a few reads, not two per user.
   */
  private async organisationsOf(userIds: readonly string[]): Promise<Map<string, string>> {
    const organisations = new Map<string, string>();
    if (userIds.length === 0) return organisations;
    const [only] = userIds;
    if (userIds.length === 1 && only !== undefined) {
      const claim = await this.claims.latest(only);
      if (claim !== undefined) organisations.set(only, claim.o);
      return organisations;
    }
    const byPointer = new Map(userIds.map((u) => [claimPointerId(u), u]));
    const pointers = await guarded(() => this.c.claimPointers.find({ _id: { $in: [...byPointer.keys()] } }, { maxTimeMS }).toArray());
    const epochs = new Map<string, number>();
    for (const p of pointers) {
      const userId = byPointer.get(p._id);
      if (userId === undefined) continue;
      epochs.set(userId, p.e);
      organisations.set(userId, p.o);
    }
    let asking = [...userIds];
    while (asking.length > 0) {
      const next = await guarded(() =>
        this.c.claims.find({ _id: { $in: asking.map((u) => `${u}/${pad((epochs.get(u) ?? 0) + 1)}`) } }, { maxTimeMS }).toArray(),
      );
      for (const claim of next) {
        epochs.set(claim.u, claim.e);
        organisations.set(claim.u, claim.o);
      }
      asking = next.map((claim) => claim.u);
    }
    return organisations;
  }

  private async usersById(ids: readonly string[]): Promise<Map<string, UserDoc>> {
    const docs =
      ids.length === 1
        ? [await guarded(() => this.c.users.findOne({ _id: ids[0] as string }, { maxTimeMS }))].filter((d) => d !== null)
        : await guarded(() => this.c.users.find({ _id: { $in: [...ids] } }, { maxTimeMS }).toArray());
    return new Map(docs.map((d) => [d._id, d]));
  }

  private async emailDocs(ids: readonly string[]): Promise<Map<string, EmailDoc>> {
    const docs =
      ids.length === 1
        ? [await guarded(() => this.c.emails.findOne({ _id: ids[0] as string }, { maxTimeMS }))].filter((d) => d !== null)
        : await guarded(() => this.c.emails.find({ _id: { $in: [...ids] } }, { maxTimeMS }).toArray());
    return new Map(docs.map((d) => [d._id, d]));
  }
}

/**
 * Inserts `docs` (unordered, each at the constant cost of a unique-`_id` check); answers the `_id`s
 * that existed already, in the order given.
 */
async function insertNew<T extends { _id: string }>(collection: Collection<T>, docs: readonly T[]): Promise<string[]> {
  if (docs.length === 0) return [];
  try {
    await guarded(() => collection.insertMany(docs.map((d) => ({ ...d })) as OptionalUnlessRequiredId<T>[], { ordered: false }));
    return [];
  } catch (error: unknown) {
    if (!(error instanceof MongoBulkWriteError)) throw error;
    const writeErrors = ([] as { index: number; code?: unknown }[]).concat(error.writeErrors);
    if (writeErrors.length === 0 || writeErrors.some((e) => e.code !== 11000)) throw error;
    const duplicates = new Set(writeErrors.map((e) => e.index));
    return docs.filter((_, n) => duplicates.has(n)).map((d) => d._id);
  }
}

function emailCopy(doc: UserDoc): Omit<EmailDoc, '_id'> {
  return { u: doc._id, name: doc.name, email: doc.email, mfa: doc.mfa, last: doc.last, t: doc.t };
}

function sameProfile(before: UserDoc | undefined, d: UserDoc): boolean {
  return before !== undefined && before.name === d.name && before.email === d.email && before.mfa === d.mfa && sameInstant(before.last, d.last);
}

function sameInstant(a: Date | null, b: Date | null): boolean {
  return a === null || b === null ? a === b : a.getTime() === b.getTime();
}

function userFromDoc(doc: UserDoc): DirectoryUser {
  return { id: doc._id, name: doc.name, email: doc.email, mfaEnabled: doc.mfa, lastActiveAt: doc.last };
}
