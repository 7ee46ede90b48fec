import type { Logger } from '@partner-team/core';
import { textKey } from '@partner-team/core/roster';
import { MongoBulkWriteError, type AnyBulkWriteOperation, type Collection } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS, type CommitLog } from './commit-log.js';
import type { MemberDoc, MemberRowDoc, StateDoc, UserDoc } from './documents.js';
import { guarded } from './store-errors.js';

type RowWrite = AnyBulkWriteOperation<{ _id: string }>;

export const rowId = (organisationId: string, userId: string): string => `${organisationId}/${userId}`;
export const markId = (organisationId: string): string => `${organisationId}/~`;

/** The profile fields a roster row copies from the directory (and sorts and searches on). */
export function profileFields(user: Omit<UserDoc, '_id'> | undefined) {
  const name = user?.name ?? '';
  const email = user?.email ?? '';
  const last = user?.last ?? null;
  return { name, email, n: textKey(name), e: textKey(email), mfa: user?.mfa ?? false, last, l: last === null ? -1 : last.getTime() };
}

/**
 * The roster read model: one row per (organisation, member), with the profile fields it sorts and
 * searches on. Rows are derived from commits and carry the sequence number that wrote them; every
 * write is conditioned on that number being older, so on MongoDB (atomic conditional updates) a
 * late writer can never roll a row back. Removed members stay as inactive tombstones for the same
 * reason. FerretDB evaluates such conditions non-atomically, so `reconcile` re-derives rows from the
 * head: after a crash between commit and projection, and periodically for recently changed
 * organisations.
 */
export class RosterProjection {
  constructor(
    private readonly c: Collections,
    private readonly log: CommitLog,
    private readonly logger: Logger,
  ) {}

  /** Applies the difference between two states, committed as `seq`. */
  async apply(organisationId: string, seq: number, before: StateDoc | undefined, after: StateDoc, at: Date): Promise<void> {
    const previous = new Map(Object.values(before?.members ?? {}).map((m) => [m.u, m]));
    const current = new Map(Object.values(after.members).map((m) => [m.u, m]));
    const added = [...current.values()].filter((m) => !previous.has(m.u));
    const changed = [...current.values()].filter((m) => previous.has(m.u) && previous.get(m.u)?.r !== m.r);
    const removed = [...previous.values()].filter((m) => !current.has(m.u));
    // No member changed (an invitation, say): nothing to write. The mark then trails the head,
    // which only makes a start-up repair look at this organisation and find nothing to fix.
    if (added.length + changed.length + removed.length === 0) return;
    const users = await this.users(added.map((m) => m.u));
    const ops: RowWrite[] = [
      ...added.map((m) => this.upsertRow(organisationId, m, seq, users.get(m.u), '$lt')),
      ...changed.map(
        (m): RowWrite => ({
          updateOne: { filter: { _id: rowId(organisationId, m.u), s: { $lt: seq } }, update: { $set: { r: m.r, a: true, s: seq } } },
        }),
      ),
      ...removed.map(
        (m): RowWrite => ({
          updateOne: { filter: { _id: rowId(organisationId, m.u), s: { $lt: seq } }, update: { $set: { a: false, s: seq } } },
        }),
      ),
      this.mark(organisationId, seq, at),
    ];
    await this.write(ops);
  }

  /**
   * Re-derives every row of an organisation from its head. Idempotent; returns the number of rows
   * it had to fix.
   */
  async reconcile(organisationId: string, now: Date = new Date()): Promise<number> {
    const head = await this.log.head(organisationId);
    if (head === undefined) return 0;
    const rows = await guarded(() =>
      this.c.members.find({ o: organisationId }, { projection: { u: 1, a: 1, r: 1, s: 1, name: 1, email: 1, mfa: 1, l: 1 }, maxTimeMS }).toArray(),
    ) as Pick<MemberRowDoc, 'u' | 'a' | 'r' | 's' | 'name' | 'email' | 'mfa' | 'l'>[];
    const byUser = new Map(rows.map((r) => [r.u, r]));
    const wanted = Object.values(head.state.members);
    // Profiles too: a directory update racing a row's creation may have missed the row.
    const users = await this.users(wanted.map((m) => m.u));
    const stale = wanted.filter((m) => {
      const row = byUser.get(m.u);
      if (row === undefined || !row.a || row.r !== m.r) return true;
      const profile = profileFields(users.get(m.u));
      return row.name !== profile.name || row.email !== profile.email || row.mfa !== profile.mfa || row.l !== profile.l;
    });
    const members = new Set(wanted.map((m) => m.u));
    const gone = rows.filter((r) => r.a && !members.has(r.u) && r.s <= head.seq);
    const ops: RowWrite[] = [
      ...stale.map((m) => this.upsertRow(organisationId, m, head.seq, users.get(m.u), '$lte')),
      ...gone.map(
        (r): RowWrite => ({
          updateOne: { filter: { _id: rowId(organisationId, r.u), s: { $lte: head.seq } }, update: { $set: { a: false, s: head.seq } } },
        }),
      ),
      this.mark(organisationId, head.seq, now),
    ];
    await this.write(ops);
    const fixed = stale.length + gone.length;
    if (fixed > 0) this.logger.warn('roster projection repaired', { organisationId, seq: head.seq, rows: fixed });
    return fixed;
  }

  /** The sequence the projection last recorded for an organisation (0 when none). */
  async markedSeq(organisationId: string): Promise<number> {
    const mark = await guarded(() => this.c.marks.findOne({ _id: markId(organisationId) }, { projection: { s: 1 }, maxTimeMS }));
    return mark?.s ?? 0;
  }

  private upsertRow(organisationId: string, m: MemberDoc, seq: number, user: UserDoc | undefined, guard: '$lt' | '$lte'): RowWrite {
    return {
      updateOne: {
        filter: { _id: rowId(organisationId, m.u), s: { [guard]: seq } },
        update: { $set: { o: organisationId, u: m.u, a: true, r: m.r, s: seq, ...profileFields(user) } },
        upsert: true,
      },
    };
  }

  private mark(organisationId: string, seq: number, at: Date): RowWrite {
    return {
      updateOne: { filter: { _id: markId(organisationId), s: { $lt: seq } }, update: { $set: { s: seq, at } }, upsert: true },
    };
  }

  private async users(ids: readonly string[]): Promise<Map<string, UserDoc>> {
    if (ids.length === 0) return new Map();
    const docs = await guarded(() => this.c.users.find({ _id: { $in: [...ids] } }, { maxTimeMS }).toArray());
    return new Map(docs.map((d) => [d._id, d]));
  }

  /** Unordered bulk write; a duplicate key means a newer write got there first, which is fine. */
  private async write(ops: RowWrite[]): Promise<void> {
    try {
      await guarded(() => (this.c.members as unknown as Collection<{ _id: string }>).bulkWrite(ops, { ordered: false }));
    } catch (error: unknown) {
      if (error instanceof MongoBulkWriteError) {
        const errors = ([] as unknown[]).concat(error.writeErrors) as { code?: unknown }[];
        if (errors.length > 0 && errors.every((e) => e.code === 11000)) return;
      }
      throw error;
    }
  }
}
