import { EmailInUseError, type DirectoryUser, type DirectoryUserUpdate, type UserActivity, type UserDirectory } from '@partner-team/core';
import type { AnyBulkWriteOperation } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS } from './commit-log.js';
import type { UserDoc } from './documents.js';
import { profileFields } from './roster-projection.js';
import { guarded, isDuplicateKey } from './store-errors.js';

/** The directory in `users` (email unique), with each user's profile copied into their roster rows. */
export class MongoUserDirectory implements UserDirectory {
  constructor(private readonly c: Collections) {}

  async findById(userId: string): Promise<DirectoryUser | undefined> {
    const doc = await guarded(() => this.c.users.findOne({ _id: userId }, { maxTimeMS }));
    return doc === null ? undefined : userFromDoc(doc);
  }

  async findByIds(userIds: readonly string[]): Promise<DirectoryUser[]> {
    if (userIds.length === 0) return [];
    const docs = await guarded(() => this.c.users.find({ _id: { $in: [...new Set(userIds)] } }, { maxTimeMS }).toArray());
    return docs.map(userFromDoc);
  }

  async findByEmail(email: string): Promise<DirectoryUser | undefined> {
    const doc = await guarded(() => this.c.users.findOne({ email }, { maxTimeMS }));
    return doc === null ? undefined : userFromDoc(doc);
  }

  async upsert(updates: readonly DirectoryUserUpdate[]): Promise<void> {
    if (updates.length === 0) return;
    const finalEmail = new Map(updates.map((u) => [u.id, u.email]));
    const holders = await guarded(() =>
      this.c.users.find({ email: { $in: [...new Set(finalEmail.values())] } }, { projection: { email: 1 }, maxTimeMS }).toArray(),
    );
    const holderOf = new Map(holders.map((h) => [h.email, h._id]));
    const owner = new Map<string, string>();
    for (const [id, email] of finalEmail) {
      const other = owner.get(email);
      const holder = holderOf.get(email);
      if ((other !== undefined && other !== id) || (holder !== undefined && holder !== id && !finalEmail.has(holder))) throw new EmailInUseError(email);
      owner.set(email, id);
    }
    const existing = new Map(
      (await guarded(() => this.c.users.find({ _id: { $in: [...finalEmail.keys()] } }, { maxTimeMS }).toArray())).map((d) => [d._id, d]),
    );
    const docs = [...finalEmail.keys()].map((id) => {
      const update = updates.findLast((u) => u.id === id) as DirectoryUserUpdate;
      const last = update.lastActiveAt === undefined ? (existing.get(id)?.last ?? null) : update.lastActiveAt;
      return { _id: id, name: update.name, email: update.email, mfa: update.mfaEnabled, last };
    });
    // Users giving an address up are written before users taking one (the email index is unique).
    const releasing = (d: UserDoc) => existing.get(d._id)?.email !== undefined && existing.get(d._id)?.email !== d.email;
    docs.sort((a, b) => Number(releasing(b)) - Number(releasing(a)));
    const ops: AnyBulkWriteOperation<UserDoc>[] = docs.map(({ _id, ...doc }) => ({ replaceOne: { filter: { _id }, replacement: doc, upsert: true } }));
    try {
      await guarded(() => this.c.users.bulkWrite(ops, { ordered: true }));
    } catch (error: unknown) {
      if (isDuplicateKey(error)) throw new EmailInUseError(docs.find((d) => releasing(d))?.email ?? docs[0]?.email ?? '');
      throw error;
    }
    await this.refreshRosterRows(docs);
  }

  async recordActivity(activity: readonly UserActivity[]): Promise<void> {
    if (activity.length === 0) return;
    const latest = new Map<string, Date>();
    for (const { userId, at } of activity) if ((latest.get(userId)?.getTime() ?? -1) < at.getTime()) latest.set(userId, at);
    await guarded(() =>
      this.c.users.bulkWrite(
        [...latest].map(([userId, at]) => ({ updateOne: { filter: { _id: userId, $or: [{ last: null }, { last: { $lt: at } }] }, update: { $set: { last: at } } } })),
        { ordered: false },
      ),
    );
    const docs = await guarded(() => this.c.users.find({ _id: { $in: [...latest.keys()] } }, { maxTimeMS }).toArray());
    await this.refreshRosterRows(docs);
  }

  /** Adds or replaces a user without the email check (seeding and tests). */
  async putUser(user: DirectoryUser): Promise<void> {
    const doc = { name: user.name, email: user.email, mfa: user.mfaEnabled, last: user.lastActiveAt };
    await guarded(() => this.c.users.replaceOne({ _id: user.id }, doc, { upsert: true }));
    await this.refreshRosterRows([{ _id: user.id, ...doc }]);
  }

  /** Copies profiles into the users' roster rows (how the roster shows names, emails, MFA and activity). */
  private async refreshRosterRows(docs: readonly UserDoc[]): Promise<void> {
    if (docs.length === 0) return;
    await guarded(() => this.c.members.bulkWrite(docs.map((d) => ({ updateMany: { filter: { u: d._id }, update: { $set: profileFields(d) } } })), { ordered: false }));
  }
}

function userFromDoc(doc: UserDoc): DirectoryUser {
  return { id: doc._id, name: doc.name, email: doc.email, mfaEnabled: doc.mfa, lastActiveAt: doc.last };
}
