import type { AuditEvent, AuditLog, AuditSearchPosition, AuditSearchQuery, LoggedAuditEvent, SearchedAuditEvent } from '@partner-team/core';
import type { Filter, FindCursor } from 'mongodb';
import { maxTimeMS, type Collections } from './collections.js';
import { eventFromDoc, eventToDoc, type AuditEventDoc, type EntryDoc, type UnscopedEventDoc } from './documents.js';
import type { OrganisationLog } from './organisation-log.js';
import { guarded } from './store-errors.js';

/**
 * The one audit log. An organisation's events travel in the entries that carry them, positioned by
 * the organisation's event count (1, 2, 3…): the latest hundred come from this process's view, older
 * pages read history (a scan on FerretDB, an index range on MongoDB) — an investigation's cost, not a
 * request's. Events that belong to no organisation are in `audit_events`.
 */
export class MongoAuditLog implements AuditLog {
  constructor(
    private readonly c: Collections,
    private readonly log: OrganisationLog,
    private readonly freshnessMs = 250,
  ) {}

  async page(
    organisationId: string,
    query: { readonly limit: number; readonly beforePosition: number | null },
  ): Promise<{ readonly items: readonly LoggedAuditEvent[]; readonly hasMore: boolean }> {
    const view = await this.log.recent(organisationId, this.freshnessMs);
    if (view === undefined) return { items: [], hasMore: false };
    const held = view.auditPage(query);
    if (held !== undefined) return held;
    const before = query.beforePosition ?? Number.MAX_SAFE_INTEGER;
    const entries = await guarded(() =>
      this.c.history
        .find({ o: organisationId, ev: { $gt: 0 }, ep: { $lt: before } } as Filter<EntryDoc>, {
          sort: { ep: -1 },
          limit: query.limit + 1,
          projection: { e: 1, ep: 1 },
          maxTimeMS,
        })
        .toArray(),
    );
    const logged: LoggedAuditEvent[] = [];
    for (const entry of entries) {
      for (let i = entry.e.length - 1; i >= 0; i -= 1) {
        const position = entry.ep + i;
        const doc = entry.e[i];
        if (doc !== undefined && position < before) logged.push({ event: eventFromDoc(organisationId, doc), position });
      }
    }
    return { items: logged.slice(0, query.limit), hasMore: logged.length > query.limit };
  }

  async record(event: AuditEvent): Promise<void> {
    if (event.organisationId !== null) throw new RangeError('an organisation’s events are saved with its change');
    await guarded(() => this.c.unscopedEvents.insertOne({ _id: event.id, stored: new Date(), ...eventToDoc(event) }));
  }

  /**
   * Support's search across organisations. A scan is acceptable for this support-only read: the
   * store filters what it can (organisation, action, actor, target, time, an upper bound from the
   * cursor; on FerretDB a collection scan, on MongoDB the `entry_time` and `unscoped_event_time`
   * indexes give the order), and the exact match and keyset run here. Two streams — entries (by
   * `at`, then `_id`; each expanded newest event first) and unscoped events (by `stored`, then
   * `_id`) — are merged by position: (time, key) descending, where the key is "<entry id>#<index>"
   * or "~<event id>".
   */
  async search(query: AuditSearchQuery): Promise<{ readonly items: readonly SearchedAuditEvent[]; readonly hasMore: boolean }> {
    const matches = ({ event: e, position }: SearchedAuditEvent): boolean =>
      (query.actorUserId === undefined || e.actorUserId === query.actorUserId) &&
      (query.targetUserId === undefined || e.targetUserId === query.targetUserId) &&
      (query.action === undefined || e.action === query.action) &&
      (query.from === undefined || e.at.getTime() >= query.from.getTime()) &&
      (query.to === undefined || e.at.getTime() < query.to.getTime()) &&
      (query.after === null || isBefore(position, query.after));
    const eventFilter: Record<string, unknown> = {};
    if (query.actorUserId !== undefined) eventFilter.actor = query.actorUserId;
    if (query.targetUserId !== undefined) eventFilter.target = query.targetUserId;
    if (query.action !== undefined) eventFilter.action = query.action;
    const at: Record<string, Date> = {};
    if (query.from !== undefined) at.$gte = query.from;
    if (query.to !== undefined) at.$lt = query.to;
    if (Object.keys(at).length > 0) eventFilter.at = at;
    const upper = query.after === null ? undefined : { $lte: new Date(query.after.order) };

    const streams: AsyncGenerator<SearchedAuditEvent>[] = [];
    if (query.organisationId !== null) {
      const filter: Record<string, unknown> = { ev: { $gt: 0 } };
      if (query.organisationId !== undefined) filter.o = query.organisationId;
      // Each condition may hold for a different event of an entry: a superset, matched exactly here.
      for (const [field, value] of Object.entries(eventFilter)) filter[`e.${field}`] = value;
      if (upper !== undefined) filter.at = upper;
      const cursor = this.c.history.find(filter as Filter<EntryDoc>, { sort: { at: -1 }, projection: { o: 1, at: 1, e: 1 }, maxTimeMS });
      streams.push(
        inPositionOrder(cursor, (doc) => doc.at.getTime(), (doc) =>
          [...doc.e.keys()].reverse().map((i) => ({
            event: eventFromDoc(doc.o, doc.e[i] as AuditEventDoc),
            position: { order: doc.at.getTime(), key: `${doc._id}#${String(i).padStart(2, '0')}` },
          })),
        ),
      );
    }
    if (query.organisationId === undefined || query.organisationId === null) {
      const filter: Record<string, unknown> = { ...eventFilter };
      if (upper !== undefined) filter.stored = upper;
      const cursor = this.c.unscopedEvents.find(filter as Filter<UnscopedEventDoc>, { sort: { stored: -1 }, maxTimeMS });
      streams.push(inPositionOrder(cursor, (doc) => doc.stored.getTime(), (doc) => [{ event: eventFromDoc(null, doc), position: { order: doc.stored.getTime(), key: `~${doc._id}` } }]));
    }

    const items: SearchedAuditEvent[] = [];
    try {
      const heads = await Promise.all(streams.map((s) => nextMatching(s, matches)));
      for (;;) {
        let best = -1;
        heads.forEach((head, n) => {
          const current = best < 0 ? undefined : heads[best];
          if (head !== undefined && (current === undefined || isBefore(current.position, head.position))) best = n;
        });
        const chosen = best < 0 ? undefined : heads[best];
        if (chosen === undefined) return { items, hasMore: false };
        if (items.length === query.limit) return { items, hasMore: true };
        items.push(chosen);
        heads[best] = await nextMatching(streams[best] as AsyncGenerator<SearchedAuditEvent>, matches);
      }
    } finally {
      await Promise.all(streams.map((s) => s.return(undefined)));
    }
  }
}

/** Whether position `a` comes after `b` in newest-first order (is older). */
function isBefore(a: AuditSearchPosition, b: AuditSearchPosition): boolean {
  return a.order < b.order || (a.order === b.order && a.key < b.key);
}

/**
 * The events of `cursor`'s documents (sorted by time, newest first) in position order: documents of
 * the same time are ordered by their events' keys before they are expanded, so only the time index
 * is needed for the sort.
 */
async function* inPositionOrder<D>(cursor: FindCursor<D>, timeOf: (doc: D) => number, events: (doc: D) => SearchedAuditEvent[]): AsyncGenerator<SearchedAuditEvent> {
  let group: SearchedAuditEvent[] = [];
  let time: number | undefined;
  const flush = () => group.sort((a, b) => (a.position.key < b.position.key ? 1 : a.position.key > b.position.key ? -1 : 0));
  try {
    for await (const doc of cursor) {
      if (time !== undefined && timeOf(doc) !== time) {
        yield* flush();
        group = [];
      }
      time = timeOf(doc);
      group.push(...events(doc));
    }
    yield* flush();
  } finally {
    await cursor.close();
  }
}

async function nextMatching(stream: AsyncGenerator<SearchedAuditEvent>, keep: (found: SearchedAuditEvent) => boolean): Promise<SearchedAuditEvent | undefined> {
  for (;;) {
    const next = await guarded(() => stream.next());
    if (next.done === true) return undefined;
    if (keep(next.value)) return next.value;
  }
}
