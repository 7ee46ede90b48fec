import { ConcurrencyConflictError, type AssignedClient, type ClientAssignment, type ClientAssignments } from '@partner-team/core';
import { compareText } from '@partner-team/core/roster';
import { maxTimeMS, type Collections } from './collections.js';
import type { MongoOrganisationRepository } from './mongo-organisation-repository.js';
import type { OrganisationLog } from './organisation-log.js';
import { guarded } from './store-errors.js';

const byCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Client assignments live in each organisation's entries (changes carry them, so they are versioned
 * with the organisation and end with a membership) and are read from this process's view. The
 * `clients` collection is only a catalogue of names for {@link assign}, the legacy path.
 */
export class MongoClientAssignments implements ClientAssignments {
  constructor(
    private readonly c: Collections,
    private readonly log: OrganisationLog,
    private readonly organisations: MongoOrganisationRepository,
    private readonly freshnessMs = 250,
  ) {}

  async assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]> {
    const view = await this.log.recent(organisationId, this.freshnessMs);
    return (view?.assignedTo(userId) ?? []).sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }

  async listForOrganisation(organisationId: string): Promise<ClientAssignment[]> {
    const view = await this.log.current(organisationId);
    return (view?.allAssignments() ?? []).sort((a, b) => byCodePoints(a.userId, b.userId) || byCodePoints(a.clientId, b.clientId));
  }

  /** Adds or renames a client in the catalogue {@link assign} takes names from. */
  async putClient(client: AssignedClient): Promise<void> {
    await guarded(() => this.c.clients.replaceOne({ _id: client.clientId }, { name: client.name }, { upsert: true }));
  }

  /**
   * Lets `userId` support `clientId` within `organisationId`, with no check at all and no audit
   * event (an entry of its own): kept for legacy imports and for tests that plant an assignment
   * breaking the rules. Everything else assigns through the support operations.
   */
  async assign(organisationId: string, userId: string, clientId: string): Promise<void> {
    const client = await guarded(() => this.c.clients.findOne({ _id: clientId }, { maxTimeMS }));
    for (let attempt = 0; attempt < 8; attempt += 1) {
      const record = await this.organisations.load(organisationId);
      if (record === undefined) throw new RangeError(`no organisation ${organisationId}`);
      try {
        await this.organisations.save(
          {
            organisationId,
            profile: null,
            upsertedMembers: [],
            removedMembers: [],
            upsertedInvitations: [],
            removedInvitations: [],
            addedAssignments: [{ userId, clientId, name: client?.name ?? clientId }],
            events: [],
          },
          record.version,
        );
        return;
      } catch (error: unknown) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
    throw new ConcurrencyConflictError(organisationId);
  }
}
