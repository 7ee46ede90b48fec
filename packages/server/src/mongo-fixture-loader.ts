import { defaultInvitationTtlMs, type Clock, type IdGenerator, type InvitationMessage, type InvitationTokens } from '@partner-team/core';
import type { MongoPersistence } from '@partner-team/mongodb';
import { withFixtureInvitations, type Fixture } from './fixture.js';

export interface FixtureLoadReport {
  readonly users: number;
  readonly clients: number;
  readonly assignments: number;
  readonly organisationsCreated: readonly string[];
  readonly organisationsKept: readonly string[];
  /** Accept links to deliver for the invitations of newly created organisations. */
  readonly invitations: readonly InvitationMessage[];
}

/**
 * Loads a fixture into MongoDB, idempotently: users, clients and assignments are upserted;
 * an organisation is created (with its memberships and invitations, through the repository, so
 * claims and the roster projection are written as for any commit) only when it does not exist
 * yet, and an existing one is left exactly as it is.
 */
export async function loadFixtureIntoMongo(
  persistence: MongoPersistence,
  fixture: Fixture,
  ports: { readonly tokens: InvitationTokens; readonly ids: IdGenerator; readonly clock: Clock },
): Promise<FixtureLoadReport> {
  await persistence.users.upsert(fixture.users);
  for (const client of fixture.clients) await persistence.putClient(client);
  const { states, messages } = withFixtureInvitations(fixture, ports, defaultInvitationTtlMs);
  const created: string[] = [];
  const kept: string[] = [];
  for (const state of states) {
    if (await persistence.createOrganisation(state)) created.push(state.id);
    else kept.push(state.id);
  }
  for (const a of fixture.assignments) await persistence.assignClient(a.organisationId, a.userId, a.clientId);
  return {
    users: fixture.users.length,
    clients: fixture.clients.length,
    assignments: fixture.assignments.length,
    organisationsCreated: created,
    organisationsKept: kept,
    invitations: messages.filter((m) => created.includes(m.organisationId)),
  };
}
