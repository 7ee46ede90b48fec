import type { AuditLog, LoggedAuditEvent } from '@partner-team/core';
import type { Filter } from 'mongodb';
import { maxTimeMS, type Collections } from './collections.js';
import { eventFromDoc, type EntryDoc } from './documents.js';
import type { OrganisationLog } from './organisation-log.js';
import { guarded } from './store-errors.js';

/**
 * Audit events from the entries that carry them, positioned by the organisation's event count
 * (1, 2, 3…). The latest hundred come from this process's view; older pages read history (a scan on
 * FerretDB, an index range on MongoDB): an investigation's cost, not a request's.
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
}
