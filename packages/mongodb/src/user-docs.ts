import type { UserDoc } from './documents.js';

/**
 * Directory documents this process read a moment ago (a second at most): an entry that adds a member
 * carries their profile, which the request that adds them (an accept) has usually just read.
 */
export class RecentUserDocs {
  private readonly docs = new Map<string, { doc: UserDoc; at: number }>();

  constructor(private readonly ttlMs = 1000) {}

  remember(doc: UserDoc): void {
    if (this.docs.size >= 1000) this.docs.clear();
    this.docs.set(doc._id, { doc, at: performance.now() });
  }

  get(userId: string): UserDoc | undefined {
    const hit = this.docs.get(userId);
    return hit !== undefined && performance.now() - hit.at <= this.ttlMs ? hit.doc : undefined;
  }
}
