import type { AuditLog, LoggedAuditEvent } from '@partner-team/core';
import type { Filter } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS } from './commit-log.js';
import { commitId, eventFromDoc, idRange, type AuditEventDoc, type CommitDoc } from './documents.js';
import { auditEventsPerCommit } from './mongo-organisation-repository.js';
import { guarded } from './store-errors.js';

/** Audit events straight from the commits that carry them: immutable, and never without their state. */
export class MongoAuditLog implements AuditLog {
  constructor(private readonly c: Collections) {}

  async page(
    organisationId: string,
    query: { readonly limit: number; readonly beforePosition: number | null },
  ): Promise<{ readonly items: readonly LoggedAuditEvent[]; readonly hasMore: boolean }> {
    // position = seq * width + index within the commit (a save carries at most `width` events).
    const width = auditEventsPerCommit;
    const range = idRange(organisationId);
    const upper = query.beforePosition === null ? range.$lt : commitId(organisationId, Math.floor((query.beforePosition - 1) / width) + 1);
    const docs = await guarded(() =>
      this.c.commits
        .find({ _id: { ...range, $lt: upper }, ev: { $gt: 0 } } as Filter<CommitDoc>, {
          sort: { _id: -1 },
          limit: query.limit + 1,
          projection: { s: 1, events: 1 },
          maxTimeMS,
        })
        .toArray(),
    );
    // Commits come newest first; within one, later events are newer: walk them backwards.
    const logged: LoggedAuditEvent[] = [];
    for (const doc of docs) {
      for (let i = doc.events.length - 1; i >= 0; i -= 1) {
        const position = doc.s * width + i;
        if (query.beforePosition === null || position < query.beforePosition) logged.push({ event: eventFromDoc(organisationId, doc.events[i] as AuditEventDoc), position });
      }
    }
    return { items: logged.slice(0, query.limit), hasMore: logged.length > query.limit };
  }
}
