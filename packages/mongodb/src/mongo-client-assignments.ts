import type { AssignedClient, ClientAssignments } from '@partner-team/core';
import { compareText } from '@partner-team/core/roster';
import type { Collections } from './collections.js';
import { maxTimeMS } from './commit-log.js';
import { guarded } from './store-errors.js';

export class MongoClientAssignments implements ClientAssignments {
  constructor(private readonly c: Collections) {}

  async assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]> {
    const docs = await guarded(() => this.c.assignments.find({ o: organisationId, u: userId }, { maxTimeMS }).toArray());
    return docs.map((d) => ({ clientId: d.c, name: d.n })).sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }

  async putClient(client: AssignedClient): Promise<void> {
    await guarded(() => this.c.clients.replaceOne({ _id: client.clientId }, { name: client.name }, { upsert: true }));
    await guarded(() => this.c.assignments.updateMany({ c: client.clientId }, { $set: { n: client.name } }));
  }

  async assign(organisationId: string, userId: string, clientId: string): Promise<void> {
    const client = await guarded(() => this.c.clients.findOne({ _id: clientId }, { maxTimeMS }));
    const id = `${organisationId}/${userId}/${clientId}`;
    await guarded(() => this.c.assignments.replaceOne({ _id: id }, { o: organisationId, u: userId, c: clientId, n: client?.name ?? clientId }, { upsert: true }));
  }
}
