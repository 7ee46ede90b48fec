import { randomUUID } from 'node:crypto';
import { ConcurrencyConflictError, StoreUnavailableError, type Logger } from '@partner-team/core';
import { BSON, MongoServerError, type Filter } from 'mongodb';
import { maxTimeMS, type Collections } from './collections.js';
import { inCommands } from './bulk-writes.js';
import { entryId, idRange, ringSize, slotId, snapshotPointerId, type EntryDoc, type SlotDoc, type SnapshotDoc } from './documents.js';
import { OrganisationView } from './organisation-view.js';
import { guarded, isDuplicateKey, translate } from './store-errors.js';

export interface OrganisationLogOptions {
  /** Most organisations whose views a process keeps (least recently used out). */
  readonly maxViews?: number;
  /** Snapshots are written once the entries since the last one weigh as much as it does, and at least this many bytes. */
  readonly snapshotMinBytes?: number;
  /**
   * How often (ms) a view whose head says "nothing new" also asks history, beside the request that
   * finds the check due (a writer that failed between its insert and its head). Default 60 s.
   */
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
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A tail longer than this is read from history in one query rather than slot by slot. */
const slotReadsPerLoad = 16;

/**
 * Each organisation's sequence of entries, and this process's views of them.
 *
 * Writing entry n+1 inserts it into `history` under `_id = "<org>/<n+1>"` — the compare-and-set: of
 * two writers of n+1 only one insert succeeds, on MongoDB and FerretDB alike, across any number of
 * processes — then copies it into its ring slot in `recent` and raises the organisation's head in
 * `heads` (both at once). A reader confirms its view by reading the head: one `_id` equality on a
 * collection of a few bytes per organisation. When the head is ahead, the reader takes the entries
 * it lacks from their ring slots (or from history, when it fell more than a ring behind or a slot
 * was not written). A writer that failed between its insert and its head leaves a committed entry
 * the head does not announce: the next writer's insert collides with it and repairs slot and head,
 * and every view also asks history once per `historyCheckMs`, beside the request that finds the
 * check due, so no view stays behind a committed entry for good.
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

  /**
   * The most recently confirmed of the views confirmed within `withinMs` that list `userId` as a
   * member, without reading the store: a request's own membership check has just confirmed its
   * organisation, so a decision about another member of it finds them here.
   */
  freshViewWithMember(userId: string, withinMs: number): OrganisationView | undefined {
    const now = performance.now();
    let found: OrganisationView | undefined;
    for (const view of this.views.values()) {
      if (now - view.verifiedAt <= withinMs && (found === undefined || view.verifiedAt > found.verifiedAt) && view.isMember(userId)) found = view;
    }
    return found;
  }

  /** Views this process holds (for answers that may use any fresh one, such as a member's profile). */
  heldView(organisationId: string): OrganisationView | undefined {
    return this.views.get(organisationId);
  }

  /**
   * Appends entry `expected + 1` (`expected` 0 creates the organisation) and applies it to the view.
   *
   * @throws ConcurrencyConflictError when another entry took that number; nothing of this one is kept.
   * @throws StoreUnavailableError when the store cannot be reached: without `outcome` nothing was
   *   applied; with `outcome: 'unknown'` the entry may be (or is) stored — its insert's answer was
   *   lost, or other processes could not be told about it.
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
    // New token lookups before the entry: a committed invitation is always found by its link. A
    // lookup left by a save that then failed names an organisation that does not hold it, and its
    // link answers "no such invitation".
    if (extras.addTokens.length > 0) await this.addTokens(organisationId, extras.addTokens);
    await this.insertEntry(entry);
    if (base.seq === expected) base.apply(entry, entryBytes(entry));
    // Its own insert just proved this entry is the last one in history too.
    base.verifiedAt = performance.now();
    base.historyCheckedAt = base.verifiedAt;
    this.keep(base);
    if (base.bytesSinceSnapshot >= Math.max(this.snapshotMinBytes, base.snapshotBytes)) this.inBackground(this.snapshot(base), 'snapshot not written; the next one will be');
    const dropped = this.dropTokens(extras.dropTokens).catch((error: unknown) => {
      // A lookup left behind names an organisation that no longer holds the invitation: harmless.
      this.logger.warn('token lookups not removed', { organisationId, seq, error: error instanceof Error ? error.name : 'unknown' });
    });
    try {
      await this.publish(entry).catch(() => this.publish(entry));
    } catch (error: unknown) {
      // The entry is committed, but other processes do not see it until one of them repairs its head
      // (their next conflict, or their history check within historyCheckMs): not a success to answer.
      this.logger.warn('head not raised; other processes see the change at their next history check', { organisationId, seq, error: error instanceof Error ? error.name : 'unknown' });
      throw new StoreUnavailableError('The change was stored, but the store failed before every process could see it', { cause: error, outcome: 'unknown' });
    } finally {
      await dropped;
    }
    return entry;
  }

  /** Waits for background work (snapshots, history checks) to finish: before closing the client. */
  async settle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  /** Forgets every view (tests, and a process that must reload from the store). */
  forget(): void {
    this.views.clear();
  }

  /**
   * The organisation as the store holds it, whatever this process's view or the head says: a cold
   * load from the latest snapshot and history (which also repairs the slot and head of a committed
   * entry they do not announce). For export and inspection; costs a history read.
   */
  async authoritative(organisationId: string): Promise<OrganisationView | undefined> {
    await this.inFlight.get(organisationId)?.done.catch(() => undefined);
    this.views.delete(organisationId);
    const view = await this.coldLoad(organisationId, await this.readHead(organisationId), true);
    if (view === undefined) return undefined;
    view.verifiedAt = performance.now();
    this.keep(view);
    return view;
  }

  /** The organisation's head as its writers last raised it; 0 when it has none. */
  private async readHead(organisationId: string): Promise<number> {
    const head = await guarded(() => this.c.heads.findOne({ _id: organisationId }, { maxTimeMS }));
    return head?.s ?? 0;
  }

  /** Reads history from entry `from` on (cold loads, gaps): a range, scanned on FerretDB. */
  private async historyFrom(organisationId: string, from: number): Promise<EntryDoc[]> {
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
      // with itself; a network error hides it), or may still land: the writer nonce tells whose
      // entry holds the number, when it can be read.
      let holder: string | null | undefined;
      try {
        holder = (await guarded(() => this.c.history.findOne({ _id: entry._id }, { projection: { w: 1 }, maxTimeMS })))?.w ?? null;
      } catch {
        holder = undefined;
      }
      if (holder === entry.w) return;
      if (holder !== null && holder !== undefined) {
        // Another writer's entry: a conflict. Its slot and head are usually written already; if not,
        // repair them now (best effort: the conflict is the answer either way).
        await this.repair(entry.o, entry.s).catch(() => undefined);
        throw new ConcurrencyConflictError(entry.o);
      }
      // Nothing there, or nothing could be read: "nothing applied" only when the server itself
      // refused the insert; after a lost connection or a timeout it may still land.
      if (holder === null && error instanceof MongoServerError && !isDuplicateKey(error) && translate(error) === error) throw error;
      throw new StoreUnavailableError('The MongoDB store did not confirm the change; it may have been applied', { cause: error, outcome: 'unknown' });
    }
  }

  /** Copies a committed entry into its ring slot and raises its organisation's head to it. */
  private async publish(entry: EntryDoc): Promise<void> {
    const slot: SlotDoc = { ...entry, _id: slotId(entry.o, entry.s) };
    await Promise.all([
      // By `_id` alone (the one filter FerretDB evaluates in SQL). A writer a whole ring late could
      // put an older entry back into the slot; a reader then takes that entry from history instead.
      guarded(() => this.c.recent(entry.o).replaceOne({ _id: slot._id }, slot, { upsert: true })).catch((error: unknown) => {
        // Two first writes of one slot: the other one holds it, which is as good.
        if (!isDuplicateKey(error)) throw error;
      }),
      this.raiseHead(entry.o, entry.s),
    ]);
  }

  /**
   * Never lowers the head on MongoDB. FerretDB applies `$max` as a read then a write, so two raises
   * running at the same instant could leave the lower one: readers then see the later entry at the
   * next write or history check.
   */
  private async raiseHead(organisationId: string, seq: number): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await guarded(() => this.c.heads.updateOne({ _id: organisationId }, { $max: { s: seq } }, { upsert: true }));
        return;
      } catch (error: unknown) {
        // Two first raises of a new head: the second one updates the first's.
        if (!isDuplicateKey(error) || attempt > 0) throw error;
      }
    }
  }

  private async addTokens(organisationId: string, hashes: readonly string[]): Promise<void> {
    await inCommands(
      hashes.map((hash) => ({ _id: hash, o: organisationId })),
      async (docs) => {
        try {
          await guarded(() => this.c.tokens.insertMany(docs, { ordered: false }));
        } catch (error: unknown) {
          // Already there: a retried save of the same invitation.
          const writeErrors = ([] as { code?: unknown }[]).concat(((error as { writeErrors?: unknown }).writeErrors ?? []) as { code?: unknown }[]);
          if (writeErrors.length === 0 || !writeErrors.every((e) => e.code === 11000)) throw error;
        }
      },
    );
  }

  private async dropTokens(hashes: readonly string[]): Promise<void> {
    await inCommands(
      hashes.map((hash) => ({ deleteOne: { filter: { _id: hash } } })),
      (ops) => guarded(() => this.c.tokens.bulkWrite(ops, { ordered: false })),
    );
  }

  /** Makes sure the slot and the head of committed entry `seq` announce it (its writer may have failed). */
  private async repair(organisationId: string, seq: number): Promise<void> {
    const slot = await guarded(() => this.c.recent(organisationId).findOne({ _id: slotId(organisationId, seq) }, { projection: { s: 1 }, maxTimeMS }));
    if (slot !== null && slot.s >= seq && (await this.readHead(organisationId)) >= seq) return;
    // Usually the winner is about to write them: give it a moment before reading history.
    await sleep(20);
    if ((await this.readHead(organisationId)) >= seq) return;
    const entry = await guarded(() => this.c.history.findOne({ _id: entryId(organisationId, seq) }, { maxTimeMS }));
    if (entry !== null) await this.publish(entry);
  }

  private async verify(organisationId: string): Promise<OrganisationView | undefined> {
    const head = await this.readHead(organisationId);
    let view = this.views.get(organisationId);
    if (view === undefined) {
      // No head: the organisation does not exist (or its creation has not been announced yet).
      if (head === 0) return undefined;
      view = await this.coldLoad(organisationId, head, false);
      if (view === undefined) return undefined;
    }
    await this.catchUp(view, head);
    if (performance.now() - view.historyCheckedAt >= this.historyCheckMs) this.checkHistory(view);
    view.verifiedAt = performance.now();
    this.keep(view);
    return view.exists ? view : undefined;
  }

  /** Applies the entries up to `head` the view lacks: from their ring slots, else from history. */
  private async catchUp(view: OrganisationView, head: number): Promise<void> {
    const organisationId = view.organisationId;
    let waited = false;
    while (view.seq < head) {
      const next = view.seq + 1;
      const slot = await guarded(() => this.c.recent(organisationId).findOne({ _id: slotId(organisationId, next) }, { maxTimeMS }));
      if (slot !== null && slot.s === next) {
        applyNext(view, { ...slot, _id: entryId(organisationId, slot.s) });
        continue;
      }
      if (slot !== null && slot.s > next) {
        // More than a ring behind: the gap is in history.
        if (!applyAll(view, await this.historyFrom(organisationId, next))) return;
        continue;
      }
      // The head announces an entry its slot does not hold (yet): its writer writes both at once,
      // so wait a moment once, then take it from history and repair the slot.
      if (!waited) {
        waited = true;
        await sleep(20);
        continue;
      }
      const entry = await guarded(() => this.c.history.findOne({ _id: entryId(organisationId, next) }, { maxTimeMS }));
      if (entry === null) return;
      if (applyNext(view, entry)) await this.publish(entry).catch(() => undefined);
    }
  }

  /**
   * Beside the request that found it due: asks history whether an entry follows the view that no
   * head announced (its writer failed between its insert and its head), applies it and repairs.
   */
  private checkHistory(view: OrganisationView): void {
    view.historyCheckedAt = performance.now();
    const organisationId = view.organisationId;
    this.inBackground(
      (async () => {
        for (;;) {
          const next = await guarded(() => this.c.history.findOne({ _id: entryId(organisationId, view.seq + 1) }, { maxTimeMS }));
          if (next === null || !applyNext(view, next)) return;
          await this.publish(next);
        }
      })(),
      'history check failed; the next one will run',
    );
  }

  /**
   * The latest snapshot and the entries after it up to `head` (or, `thorough`, every entry history
   * holds after it); undefined when the organisation does not exist.
   */
  private async coldLoad(organisationId: string, head: number, thorough: boolean): Promise<OrganisationView | undefined> {
    const pointer = await guarded(() => this.c.snapshotPointers(organisationId).findOne({ _id: snapshotPointerId(organisationId) }, { maxTimeMS }));
    let snapshot: SnapshotDoc | null = null;
    if (pointer !== null) {
      snapshot = await guarded(() => this.c.snapshots.findOne({ _id: entryId(organisationId, pointer.s) }, { maxTimeMS }));
      // It names a snapshot already replaced: the latest one left, if any.
      snapshot ??= await guarded(() =>
        this.c.snapshots.findOne({ _id: idRange(organisationId) } as Filter<SnapshotDoc>, { sort: { _id: -1 }, maxTimeMS }),
      );
    }
    const view = snapshot === null ? new OrganisationView(organisationId) : OrganisationView.fromSnapshot(snapshot, BSON.calculateObjectSize(snapshot));
    if (snapshot === null) view.snapshotBytes = 0;
    if (thorough || head - view.seq > Math.min(slotReadsPerLoad, ringSize)) {
      const before = view.seq;
      applyAll(view, await this.historyFrom(organisationId, view.seq + 1));
      view.historyCheckedAt = performance.now();
      // Entries no head announced (a writer failed before raising it): announce the last one.
      if (view.seq > head && view.seq > before) await this.repair(organisationId, view.seq).catch(() => undefined);
    }
    await this.catchUp(view, head);
    return view.exists ? view : undefined;
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
    const pointer = await guarded(() => this.c.snapshotPointers(view.organisationId).findOne({ _id: id }, { maxTimeMS }));
    if (pointer !== null && pointer.s >= doc.s) return;
    // Keep the latest two (a cold load may still be reading the previous one); all by `_id`.
    await guarded(() => this.c.snapshotPointers(view.organisationId).replaceOne({ _id: id }, { s: doc.s, p: pointer?.s ?? 0 }, { upsert: true }));
    if (pointer !== null && pointer.p > 0) await guarded(() => this.c.snapshots.deleteOne({ _id: entryId(view.organisationId, pointer.p) }));
  }

  private inBackground(work: Promise<unknown>, failure: string): void {
    const tracked = work
      .catch((error: unknown) => {
        this.logger.warn(failure, { error: error instanceof Error ? error.name : 'unknown' });
      })
      .finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}

/** Applies `entry` if it is the one the view lacks next (the view may have moved on meanwhile). */
function applyNext(view: OrganisationView, entry: EntryDoc): boolean {
  if (entry.s !== view.seq + 1) return false;
  view.apply(entry, entryBytes(entry));
  return true;
}

/** Applies the entries of a history range that follow the view, in order; false when none did. */
function applyAll(view: OrganisationView, entries: readonly EntryDoc[]): boolean {
  let applied = false;
  for (const entry of entries) applied = applyNext(view, entry) || applied;
  return applied;
}
