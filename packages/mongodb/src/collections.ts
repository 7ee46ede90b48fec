import type { Collection, Db } from 'mongodb';
import type {
  ClaimDoc,
  ClaimPointerDoc,
  ClientDoc,
  EmailDoc,
  EntryDoc,
  HeadDoc,
  SlotDoc,
  SnapshotDoc,
  SnapshotPointerDoc,
  TokenDoc,
  UnscopedEventDoc,
  UserDoc,
} from './documents.js';

/**
 * The adapter's collections (names can be prefixed to share a database). Every request-path read
 * is one `_id` equality on `heads`, whose documents are a few bytes per organisation: FerretDB on
 * SQLite evaluates even an `_id` equality by scanning the table, so what every request reads must
 * stay small. `recent` (ring slots) is read when something changed; `history` and `snapshots` only
 * take inserts on the request path (an insert checks its unique `_id` through the index, at
 * constant cost) and are read on cold loads, deep audit pages and repairs. See
 * docs/adr/0006-mongodb-persistence.md.
 */
export interface Collections {
  /** Every entry of every organisation's sequence, forever: the compare-and-set and the audit trail. */
  readonly history: Collection<EntryDoc>;
  /** Each organisation's latest sequence number. */
  readonly heads: Collection<HeadDoc>;
  /** Ring slots (the latest entries of each organisation) and snapshot pointers. */
  readonly recent: Collection<SlotDoc>;
  readonly snapshotPointers: Collection<SnapshotPointerDoc>;
  /** Invitation token lookups. */
  readonly tokens: Collection<TokenDoc>;
  /** The whole state of each organisation at two recent points (cold loads start there). */
  readonly snapshots: Collection<SnapshotDoc>;
  readonly claims: Collection<ClaimDoc>;
  readonly claimPointers: Collection<ClaimPointerDoc>;
  readonly users: Collection<UserDoc>;
  readonly emails: Collection<EmailDoc>;
  readonly clients: Collection<ClientDoc>;
  /** Audit events that belong to no organisation (an organisation's travel in its entries). */
  readonly unscopedEvents: Collection<UnscopedEventDoc>;
}

export function collections(db: Db, prefix = ''): Collections {
  const recent = db.collection(`${prefix}organisation_recent`);
  const claims = db.collection(`${prefix}membership_claims`);
  const users = db.collection(`${prefix}users`);
  return {
    history: db.collection<EntryDoc>(`${prefix}organisation_history`),
    heads: db.collection<HeadDoc>(`${prefix}organisation_heads`),
    recent: recent as unknown as Collection<SlotDoc>,
    snapshotPointers: recent as unknown as Collection<SnapshotPointerDoc>,
    tokens: db.collection<TokenDoc>(`${prefix}invitation_tokens`),
    snapshots: db.collection<SnapshotDoc>(`${prefix}organisation_snapshots`),
    claims: claims as unknown as Collection<ClaimDoc>,
    claimPointers: claims as unknown as Collection<ClaimPointerDoc>,
    users: users as unknown as Collection<UserDoc>,
    emails: users as unknown as Collection<EmailDoc>,
    clients: db.collection<ClientDoc>(`${prefix}clients`),
    unscopedEvents: db.collection<UnscopedEventDoc>(`${prefix}audit_events`),
  };
}

/** Bounds every read and write; FerretDB refuses it on a few commands, noted where they are sent. */
export const maxTimeMS = 5000;
