import { ConcurrencyConflictError, type AssignedClient, type ClientAssignment, type ClientAssignments } from '@partner-team/core';
import { compareText } from '@partner-team/core/roster';
import type { Filter } from 'mongodb';
import type { Collections } from './collections.js';
import { maxTimeMS } from './commit-log.js';
import { idRange, memberKey, type CommitDoc, type StateDoc } from './documents.js';
import type { MongoOrganisationRepository } from './mongo-organisation-repository.js';
import { guarded } from './store-errors.js';

const byCodePoints = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Client assignments live in each organisation's state (`state.assignments`, by member key), so
 * they are written by the organisation's commits — versioned with it, dropped with a membership —
 * and read here from the head. The `clients` collection is only a catalogue of names for
 * {@link assign}, the legacy path.
 */
export class MongoClientAssignments implements ClientAssignments {
  constructor(
    private readonly c: Collections,
    private readonly organisations: MongoOrganisationRepository,
  ) {}

  async assignedTo(organisationId: string, userId: string): Promise<AssignedClient[]> {
    const key = memberKey(userId);
    const assignments = await this.headAssignments(organisationId, `state.assignments.${key}`);
    return (assignments?.[key] ?? []).map((a) => ({ clientId: a.c, name: a.n })).sort((a, b) => compareText(a.name, b.name) || compareText(a.clientId, b.clientId));
  }

  async listForOrganisation(organisationId: string): Promise<ClientAssignment[]> {
    const assignments = await this.headAssignments(organisationId, 'state.assignments');
    return Object.entries(assignments ?? {})
      .flatMap(([key, list]) => list.map((a) => ({ userId: userIdOf(key), clientId: a.c, name: a.n })))
      .sort((a, b) => byCodePoints(a.userId, b.userId) || byCodePoints(a.clientId, b.clientId));
  }

  /** Adds or renames a client in the catalogue {@link assign} takes names from. */
  async putClient(client: AssignedClient): Promise<void> {
    await guarded(() => this.c.clients.replaceOne({ _id: client.clientId }, { name: client.name }, { upsert: true }));
  }

  /**
   * Lets `userId` support `clientId` within `organisationId`, with no check at all and no audit
   * event (a commit of its own): kept for legacy imports and for tests that plant an assignment
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

  /** The head's assignments, read with `projection` only (a member's, or all). */
  private async headAssignments(organisationId: string, projection: string): Promise<StateDoc['assignments']> {
    const doc = await guarded(() =>
      this.c.commits.findOne({ _id: idRange(organisationId) } as Filter<CommitDoc>, { sort: { _id: -1 }, projection: { [projection]: 1 }, maxTimeMS }),
    );
    return doc?.state?.assignments;
  }
}

/** The user id of a member key (the inverse of `memberKey`, exact: identifiers never contain "%"). */
const userIdOf = (key: string): string => key.slice(1).replaceAll('%2E', '.');
