import type { Collection, Db, IndexDescription } from 'mongodb';
import type { ClaimDoc, ClientDoc, CommitDoc, MemberRowDoc, ProjectionMarkDoc, UnscopedEventDoc, UserDoc } from './documents.js';

/** The adapter's collections (names can be prefixed to share a database). */
export interface Collections {
  readonly commits: Collection<CommitDoc>;
  readonly claims: Collection<ClaimDoc>;
  readonly members: Collection<MemberRowDoc>;
  /** The projection marks, kept in the roster collection under "<organisationId>/~". */
  readonly marks: Collection<ProjectionMarkDoc>;
  readonly users: Collection<UserDoc>;
  readonly clients: Collection<ClientDoc>;
  /** Audit events that belong to no organisation (an organisation's events live in its commits). */
  readonly unscopedEvents: Collection<UnscopedEventDoc>;
}

export function collections(db: Db, prefix = ''): Collections {
  return {
    commits: db.collection<CommitDoc>(`${prefix}organisation_commits`),
    claims: db.collection<ClaimDoc>(`${prefix}membership_claims`),
    members: db.collection<MemberRowDoc>(`${prefix}roster_members`),
    marks: db.collection<ProjectionMarkDoc>(`${prefix}roster_members`),
    users: db.collection<UserDoc>(`${prefix}users`),
    clients: db.collection<ClientDoc>(`${prefix}clients`),
    unscopedEvents: db.collection<UnscopedEventDoc>(`${prefix}audit_events`),
  };
}

/**
 * Every index the adapter relies on. Commits and claims are read by `_id` ranges (the default
 * `_id` index); the roster has one compound index per sort key, each starting with the
 * organisation and the active flag and ending with the user id tie-breaker, so that a page is an
 * index scan in sort order (see docs/adr/0006-mongodb-persistence.md).
 */
export const indexes: Partial<Record<keyof Collections, (IndexDescription & { name: string })[]>> = {
  commits: [
    { key: { tokens: 1 }, name: 'invitation_token_hash' },
    { key: { at: 1 }, name: 'commit_time' },
  ],
  members: [
    { key: { o: 1, a: 1, n: 1, u: 1 }, name: 'roster_by_name' },
    { key: { o: 1, a: 1, e: 1, u: 1 }, name: 'roster_by_email' },
    { key: { o: 1, a: 1, r: 1, n: 1, u: 1 }, name: 'roster_by_role' },
    { key: { o: 1, a: 1, l: 1, u: 1 }, name: 'roster_by_last_active' },
    { key: { u: 1 }, name: 'roster_rows_of_user' },
  ],
  users: [{ key: { email: 1 }, name: 'user_email_unique', unique: true }],
  unscopedEvents: [{ key: { stored: 1 }, name: 'unscoped_event_time' }],
};

/**
 * Creates every missing index, one by one (idempotent). Existing ones are left alone: FerretDB 1.24
 * crashes the connection when `createIndexes` repeats indexes that already exist in a batch.
 */
export async function ensureIndexes(c: Collections): Promise<void> {
  for (const [name, list] of Object.entries(indexes) as [keyof Collections, (IndexDescription & { name: string })[]][]) {
    const collection = c[name] as unknown as Collection;
    const existing = new Set<string>();
    try {
      for (const index of await collection.listIndexes().toArray()) existing.add(String((index as { name?: unknown }).name));
    } catch (error: unknown) {
      // A collection that does not exist yet has no indexes (NamespaceNotFound).
      if ((error as { code?: unknown }).code !== 26) throw error;
    }
    for (const { key, ...options } of list) {
      if (!existing.has(options.name)) await collection.createIndex(key, options, {});
    }
  }
}
