import { randomUUID } from 'node:crypto';
import { ConcurrencyConflictError, StoreUnavailableError, type Logger } from '@partner-team/core';
import { BSON, type AnyBulkWriteOperation, type Filter } from 'mongodb';
import { maxTimeMS, type Collections } from './collections.js';
import { inCommands } from './bulk-writes.js';
import {
  entryId,
  idRange,
  slotId,
  snapshotPointerId,
  tokenId,
  type EntryDoc,
  type SlotDoc,
  type SnapshotDoc,
} from './documents.js';
import { OrganisationView } from './organisation-view.js';
import { guarded, isDuplicateKey } from './store-errors.js';

export interface OrganisationLogOptions {
  /** Most organisations whose views a process keeps (least recently used out). */
  readonly maxViews?: number;
  /** Snapshots are written once the entries since the last one weigh as much as it does, and at least this many bytes. */
  readonly snapshotMinBytes?: number;
  /** How often (ms) a view that sees no next entry in the ring also asks history (crashed writers). */
  readonly historyCheckMs?: number;
}

/** What one append writes besides the entry: token lookups to add and to drop. */
export interface AppendExtras {
  readonly addTokens: readonly string[];
  readonly dropTokens: readonly string[];
}

/** An entry waiting to be written: everything but the sequence number, the time and the writer. */
export type EntryDraft = Pick<EntryDoc, 'c' | 'p' | 'e'>;

const entryBytes = (entry: EntryDoc): number => BSON.calculateObjectSize(entry);

/**
 * Each organisation's sequence of entries, and this process's views of them.
 *
 * Writing entry n+1 inserts it into `history` under `_id = "<org>/<n+1>"` — the compare-and-set: of
 * two writers of n+1 only one insert succeeds, on MongoDB and FerretDB alike, across any number of
 * processes — and then copies it into its ring slot in `recent` (with the token lookups it adds).
 * A reader confirms its view is the head by reading the ring slot of the next entry: one `_id`
 * equality on a collection whose size is bounded by the number of organisations, not by history.
 * A slot holding an older entry means "no next entry yet"; a slot holding a newer one means the view
 * fell more than a ring behind, and the gap is read from history. A writer that crashed between its
 * insert and its slot leaves a gap that the next writer's conflict repairs (and a cold load reads
 * history past the ring), so no view can stay behind a committed entry for good.
 *
 * Cold loads start from the latest snapshot (written once the entries since the previous one weigh
 * as much as it does, so snapshot writes cost each entry at most its own size again) and apply the
 * entries after it.
 */
export class OrganisationLog {
  private readonly views = new Map<string, OrganisationView>();
  /** The verification in flight per organisation, with the time it started. */
  private readonly inFlight = new Map<string, { started: number; done: Promise<OrganisationView | undefined> }>();
  private readonly background = new Set<Promise<unknown>>();
  private readonly maxViews: number;
  private readonly snapshotMinBytes: number;
  private readonly historyCheckMs: number;

  constructor(
    private readonly c: Collections,
    private readonly logger: Logger,
    options: OrganisationLogOptions = {},
  ) {
    this.maxViews = options.maxViews ?? 10_000;
    this.snapshotMinBytes = options.snapshotMinBytes ?? 16 * 1024;
    this.historyCheckMs = options.historyCheckMs ?? 60_000;
  }

  /**
   * The view of `organisationId` confirmed to be the head by a read that started after this call
   * (concurrent callers share one read); undefined when the organisation does not exist.
   */
  async current(organisationId: string): Promise<OrganisationView | undefined> {
    const arrived = performance.now();
    const flight = this.inFlight.get(organisationId);
    if (flight !== undefined && flight.started >= arrived) return flight.done;
    // A read that started before this call may miss what was committed just before it: wait for it,
    // then start a fresh one (unless another caller already did).
    if (flight !== undefined) await flight.done.catch(() => undefined);
    const next = this.inFlight.get(organisationId);
    if (next !== undefined && next.started >= arrived) return next.done;
    const started = performance.now();
    const done = this.verify(organisationId).finally(() => {
      if (this.inFlight.get(organisationId)?.done === done) this.inFlight.delete(organisationId);
    });
    this.inFlight.set(organisationId, { started, done });
    return done;
  }

  /**
   * The view as this process confirmed it within the last `withinMs` — or as a confirmation started
   * within them and still in flight will leave it; else the confirmed head.
   */
  async recent(organisationId: string, withinMs: number): Promise<OrganisationView | undefined> {
    const now = performance.now();
    const view = this.views.get(organisationId);
    if (view !== undefined && now - view.verifiedAt <= withinMs) return view;
    const flight = this.inFlight.get(organisationId);
    if (flight !== undefined && now - flight.started <= withinMs) return flight.done;
    return this.current(organisationId);
  }

  /** Views this process holds (for answers that may use any fresh one, such as a member's profile). */
  heldView(organisationId: string): OrganisationView | undefined {
    return this.views.get(organisationId);
  }

  /**
   * Appends entry `expected + 1` (`expected` 0 creates the organisation) and applies it to the view.
   *
   * @throws ConcurrencyConflictError when another entry took that number; nothing of this one is kept.
   * @throws StoreUnavailableError when the store cannot be reached; `outcome: 'unknown'` when the
   *   insert may have landed but neither its answer nor a follow-up read could tell.
   */
  async append(organisationId: string, expected: number, draft: EntryDraft, extras: AppendExtras): Promise<EntryDoc> {
    const view = this.views.get(organisationId);
    const base = view !== undefined && view.seq === expected ? view : expected === 0 ? new OrganisationView(organisationId) : undefined;
    if (base === undefined) throw new ConcurrencyConflictError(organisationId);
    const seq = expected + 1;
    const entry: EntryDoc = {
      _id: entryId(organisationId, seq),
      o: organisationId,
      s: seq,
      at: new Date(),
      w: randomUUID(),
      c: draft.c,
      p: draft.p,
      e: draft.e,
      ep: base.nextEventPosition(),
      ev: draft.e.length,
    };
    await this.insertEntry(entry);
    const bytes = entryBytes(entry);
    if (base.seq === expected) base.apply(entry, bytes);
    // Its own insert just proved this entry is the last one in history too.
    base.verifiedAt = performance.now();
    base.historyCheckedAt = base.verifiedAt;
    this.keep(base);
    await this.copyToRing(entry, extras).catch((error: unknown) => {
      // The entry is committed; its slot is repaired by the next writer that meets it.
      this.logger.warn('recent slot not written; readers catch up at the next write', { organisationId, seq, error: error instanceof Error ? error.name : 'unknown' });
    });
    if (base.bytesSinceSnapshot >= Math.max(this.snapshotMinBytes, base.snapshotBytes)) this.inBackground(this.snapshot(base));
    return entry;
  }

  /** Waits for background work (snapshots) to finish: before closing the client. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Forgets every view (tests, and a process that must reload from the store). */
  forget(): void {
    this.views.clear();
  }

  /**
   * The organisation as the store holds it, whatever this process's view says: a cold load from the
   * latest snapshot and history (which also writes any ring slot a crashed writer left out, so
   * every other view catches up at its next check). For export and inspection; costs a history read.
   */
  async authoritative(organisationId: string): Promise<OrganisationView | undefined> {
    this.views.delete(organisationId);
    return this.current(organisationId);
  }

  /** Reads history from entry `from` on (cold loads, gaps): a range, scanned on FerretDB. */
  async historyFrom(organisationId: string, from: number): Promise<EntryDoc[]> {
    return guarded(() =>
      this.c.history
        .find({ _id: { $gte: entryId(organisationId, from), $lt: `${organisationId}0` } } as Filter<EntryDoc>, { sort: { _id: 1 }, maxTimeMS })
        .toArray(),
    );
  }

  private async insertEntry(entry: EntryDoc): Promise<void> {
    try {
      await guarded(() => this.c.history.insertOne(entry));
      return;
    } catch (error: unknown) {
      // The insert may have landed although its answer was lost (a retried insert then collides
      // with itself; a network error hides it): the writer nonce tells whose entry holds the number.
      let holder: string | null | undefined;
      try {
        holder = (await guarded(() => this.c.history.findOne({ _id: entry._id }, { projection: { w: 1 }, maxTimeMS })))?.w ?? null;
      } catch {
        holder = undefined;
      }
      if (holder === entry.w) return;
      if (holder === undefined && !isDuplicateKey(error)) {
        throw new StoreUnavailableError('The MongoDB store did not confirm the change; it may have been applied', { cause: error, outcome: 'unknown' });
      }
      if (holder !== null && holder !== undefined) {
        await this.repairSlot(entry.o, entry.s);
        throw new ConcurrencyConflictError(entry.o);
      }
      throw error;
    }
  }

  /** Makes sure the ring slot of entry `seq` holds it (a crashed writer may have left it out). */
  private async repairSlot(organisationId: string, seq: number, patienceMs = 20): Promise<void> {
    const slot = await guarded(() => this.c.recent.findOne({ _id: slotId(organisationId, seq) }, { projection: { s: 1 }, maxTimeMS }));
    if (slot !== null && slot.s >= seq) return;
    // Usually the winner is about to write it: give it a moment before reading history.
    if (patienceMs > 0) await new Promise((resolve) => setTimeout(resolve, patienceMs));
    const again = await guarded(() => this.c.recent.findOne({ _id: slotId(organisationId, seq) }, { projection: { s: 1 }, maxTimeMS }));
    if (again !== null && again.s >= seq) return;
    const entry = await guarded(() => this.c.history.findOne({ _id: entryId(organisationId, seq) }, { maxTimeMS }));
    if (entry !== null) await this.copyToRing(entry, { addTokens: [], dropTokens: [] });
  }

  private async copyToRing(entry: EntryDoc, extras: AppendExtras): Promise<void> {
    const slot: SlotDoc = { ...entry, _id: slotId(entry.o, entry.s) };
    // By `_id` alone (the one filter FerretDB evaluates in SQL). A writer a whole ring late could put
    // an older entry back into the slot; readers then see "no next entry yet" until the next write
    // repairs it (see repairSlot) — a delay, never a wrong state.
    const ops: AnyBulkWriteOperation<SlotDoc>[] = [{ replaceOne: { filter: { _id: slot._id }, replacement: slot, upsert: true } }];
    for (const hash of extras.addTokens) ops.push({ replaceOne: { filter: { _id: tokenId(hash) }, replacement: { _id: tokenId(hash), o: entry.o } as unknown as SlotDoc, upsert: true } });
    for (const hash of extras.dropTokens) ops.push({ deleteOne: { filter: { _id: tokenId(hash) } } });
    await inCommands(ops, async (slice) => {
      try {
        await guarded(() => this.c.recent.bulkWrite(slice, { ordered: false }));
      } catch (error: unknown) {
        // A duplicate on the slot's upsert means a newer entry holds it already: fine.
        const writeErrors = (error as { writeErrors?: unknown }).writeErrors;
        const errors = ([] as { code?: unknown }[]).concat((writeErrors ?? []) as { code?: unknown }[]);
        if (errors.length === 0 || !errors.every((e) => e.code === 11000)) throw error;
      }
    });
  }

  private async verify(organisationId: string): Promise<OrganisationView | undefined> {
    let view = this.views.get(organisationId);
    if (view === undefined) {
      view = await this.coldLoad(organisationId);
      if (view === undefined) return undefined;
    }
    for (;;) {
      const slot = await guarded(() => this.c.recent.findOne({ _id: slotId(organisationId, view.seq + 1) }, { maxTimeMS }));
      if (slot === null || slot.s <= view.seq) {
        // The ring says "no next entry". A writer that died between its insert and its slot (or a
        // very late one that overwrote a slot) could make that untrue until the next write repairs
        // it: at most once a minute, history is asked too.
        if (performance.now() - view.historyCheckedAt < this.historyCheckMs) break;
        view.historyCheckedAt = performance.now();
        const missed = await this.historyHasNext(view);
        if (missed === null) break;
        view.apply(missed, entryBytes(missed));
        await this.repairSlot(organisationId, missed.s, 0);
        continue;
      }
      if (slot.s === view.seq + 1) {
        const doc: EntryDoc = { ...slot, _id: entryId(organisationId, slot.s) };
        view.apply(doc, entryBytes(doc));
        continue;
      }
      // More than a ring behind: the gap is in history.
      for (const entry of await this.historyFrom(organisationId, view.seq + 1)) if (entry.s === view.seq + 1) view.apply(entry, entryBytes(entry));
    }
    view.verifiedAt = performance.now();
    this.keep(view);
    return view.exists ? view : undefined;
  }

  /** The latest snapshot and the entries after it; undefined when the organisation does not exist. */
  private async coldLoad(organisationId: string): Promise<OrganisationView | undefined> {
    const pointer = await guarded(() => this.c.snapshotPointers.findOne({ _id: snapshotPointerId(organisationId) }, { maxTimeMS }));
    let snapshot: SnapshotDoc | null = null;
    if (pointer !== null) snapshot = await guarded(() => this.c.snapshots.findOne({ _id: entryId(organisationId, pointer.s) }, { maxTimeMS }));
    if (snapshot === null) {
      // No pointer, or it names a snapshot already replaced: the latest one left, if any.
      snapshot = await guarded(() =>
        this.c.snapshots.findOne({ _id: idRange(organisationId) } as Filter<SnapshotDoc>, { sort: { _id: -1 }, maxTimeMS }),
      );
    }
    const view = snapshot === null ? new OrganisationView(organisationId) : OrganisationView.fromSnapshot(snapshot, BSON.calculateObjectSize(snapshot));
    // History past the snapshot: the ring holds only the latest entries, and a crashed writer may
    // have left its entry out of the ring — put it back, so that warm views elsewhere see it too.
    let last: EntryDoc | undefined;
    for (const entry of await this.historyFrom(organisationId, view.seq + 1)) {
      if (entry.s !== view.seq + 1) continue;
      view.apply(entry, entryBytes(entry));
      last = entry;
    }
    if (last !== undefined) await this.repairSlot(organisationId, last.s, 0);
    view.historyCheckedAt = performance.now();
    if (!view.exists) return undefined;
    if (snapshot === null) view.snapshotBytes = 0;
    return view;
  }

  private keep(view: OrganisationView): void {
    this.views.delete(view.organisationId);
    this.views.set(view.organisationId, view);
    if (this.views.size > this.maxViews) {
      const oldest = this.views.keys().next();
      if (oldest.done !== true) this.views.delete(oldest.value);
    }
  }

  /** Writes a snapshot of `view` as it is now, points to it, and drops the one before the previous. */
  private async snapshot(view: OrganisationView): Promise<void> {
    const doc = view.toSnapshot(new Date());
    view.snapshotBytes = BSON.calculateObjectSize(doc);
    view.bytesSinceSnapshot = 0;
    try {
      await guarded(() => this.c.snapshots.insertOne(doc));
    } catch (error: unknown) {
      if (!isDuplicateKey(error)) throw error;
    }
    const id = snapshotPointerId(view.organisationId);
    const pointer = await guarded(() => this.c.snapshotPointers.findOne({ _id: id }, { maxTimeMS }));
    if (pointer !== null && pointer.s >= doc.s) return;
    // Keep the latest two (a cold load may still be reading the previous one); all by `_id`.
    await guarded(() => this.c.snapshotPointers.replaceOne({ _id: id }, { s: doc.s, p: pointer?.s ?? 0 }, { upsert: true }));
    if (pointer !== null && pointer.p > 0) await guarded(() => this.c.snapshots.deleteOne({ _id: entryId(view.organisationId, pointer.p) }));
  }

  /** Before trusting "no next entry" for long, looks past the ring once in a while (see verify). */
  private async historyHasNext(view: OrganisationView): Promise<EntryDoc | null> {
    return guarded(() => this.c.history.findOne({ _id: entryId(view.organisationId, view.seq + 1) }, { maxTimeMS }));
  }

  private inBackground(work: Promise<unknown>): void {
    const tracked = work
      .catch((error: unknown) => {
        this.logger.warn('snapshot not written; the next one will be', { error: error instanceof Error ? error.name : 'unknown' });
      })
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}
