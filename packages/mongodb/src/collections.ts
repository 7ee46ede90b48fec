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
  /**
   * The collection of `organisationId`'s ring slots (its latest entries) and snapshot pointer: one
   * of {@link recentBuckets}, by a hash of the id. A slot write is a replace by `_id`, which FerretDB
   * carries out as two scans of the whole table: spreading the slots over buckets keeps each scan to
   * a small share of all organisations' slots (ADR 0006).
   */
  recent(organisationId: string): Collection<SlotDoc>;
  snapshotPointers(organisationId: string): Collection<SnapshotPointerDoc>;
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

/** How many collections hold the ring slots (`organisation_recent_00` … `_3f`). */
export const recentBuckets = 64;

/** The bucket of an organisation: FNV-1a of its id, modulo {@link recentBuckets}. */
export function recentBucketOf(organisationId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < organisationId.length; i += 1) hash = Math.imul(hash ^ organisationId.charCodeAt(i), 0x01000193) >>> 0;
  return hash % recentBuckets;
}

export function collections(db: Db, prefix = ''): Collections {
  const buckets = Array.from({ length: recentBuckets }, (_, n) => db.collection(`${prefix}organisation_recent_${n.toString(16).padStart(2, '0')}`));
  const recent = (organisationId: string): Collection => {
    const bucket = buckets[recentBucketOf(organisationId)];
    if (bucket === undefined) throw new RangeError('no ring bucket');
    return bucket;
  };
  const claims = db.collection(`${prefix}membership_claims`);
  const users = db.collection(`${prefix}users`);
  return {
    history: db.collection<EntryDoc>(`${prefix}organisation_history`),
    heads: db.collection<HeadDoc>(`${prefix}organisation_heads`),
    recent: (organisationId) => recent(organisationId) as unknown as Collection<SlotDoc>,
    snapshotPointers: (organisationId) => recent(organisationId) as unknown as Collection<SnapshotPointerDoc>,
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
