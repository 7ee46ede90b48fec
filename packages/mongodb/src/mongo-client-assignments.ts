import type { AssignedClient, ClientAssignments } from '@partner-team/core';
import { compareText } from '@partner-team/core/roster';
import { maxTimeMS, type Collections } from './collections.js';
import { guarded } from './store-errors.js';

/** One document per (organisation, member) with their clients: `_id` = "<organisationId>/<userId>". */
export class MongoClientAssignments implements ClientAssignments {
  constructor(private readonly c: Collections) {}

  async assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]> {
    const doc = await guarded(() => this.c.assignments.findOne({ _id: `${organisationId}/${userId}` }, { maxTimeMS }));
    return (doc?.clients ?? []).map((c) => ({ clientId: c.c, name: c.n })).sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }

  async putClient(client: AssignedClient): Promise<void> {
    await guarded(() => this.c.clients.replaceOne({ _id: client.clientId }, { name: client.name }, { upsert: true }));
  }

  /** Lets `userId` support `clientId` within `organisationId` (support tooling; not a partner action). */
  async assign(organisationId: string, userId: string, clientId: string): Promise<void> {
    const client = await guarded(() => this.c.clients.findOne({ _id: clientId }, { maxTimeMS }));
    const _id = `${organisationId}/${userId}`;
    const doc = await guarded(() => this.c.assignments.findOne({ _id }, { maxTimeMS }));
    const clients = (doc?.clients ?? []).filter((c) => c.c !== clientId).concat([{ c: clientId, n: client?.name ?? clientId }]);
    await guarded(() => this.c.assignments.replaceOne({ _id }, { o: organisationId, u: userId, clients }, { upsert: true }));
  }
}
