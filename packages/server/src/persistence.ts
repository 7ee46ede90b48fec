import { InMemoryPartnerTeamStore } from '@partner-team/in-memory';
import { persistencePortsOf, type InvitationMessage, type OrganisationState, type PersistencePorts } from '@partner-team/core';
import type { Fixture } from './fixture.js';

/** The persistence ports of one store, plus its lifecycle. */
export interface Persistence extends PersistencePorts {
  readonly kind: 'in-memory' | 'mongodb';
  /** Whether the store answers now (for `/readyz`). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The in-memory store seeded with a fixture (its invitations already carry their token hashes). */
export async function createInMemoryPersistence(
  fixture: Fixture,
  seeded: { readonly states: readonly OrganisationState[]; readonly messages: readonly InvitationMessage[] },
  store: InMemoryPartnerTeamStore = new InMemoryPartnerTeamStore(),
): Promise<Persistence> {
  for (const user of fixture.users) store.putUser(user);
  for (const client of fixture.clients) store.putClient(client);
  for (const state of seeded.states) await store.createOrganisation(state);
  for (const a of fixture.assignments) store.assignClient(a.organisationId, a.userId, a.clientId);
  return {
    kind: 'in-memory',
    ...persistencePortsOf(store),
    ready: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
