import type { DirectoryUser, UserDirectory } from '@partner-team/core';
import type { Collections } from './collections.js';
import { maxTimeMS } from './commit-log.js';
import type { UserDoc } from './documents.js';
import { profileFields } from './roster-projection.js';
import { guarded } from './store-errors.js';

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
