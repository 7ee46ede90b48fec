import { InMemoryPartnerTeamStore } from '@partner-team/in-memory';
import {
  createSupportOperations,
  immediateRetryPolicy,
  persistencePortsOf,
  type Clock,
  type IdGenerator,
  type InvitationNotifier,
  type InvitationTokens,
  type Logger,
  type PersistencePorts,
  type SupportActor,
} from '@partner-team/core';
import type { Fixture } from './fixture.js';
import { loadFixture } from './fixture-loader.js';

/** The persistence ports of one store, plus its lifecycle. */
export interface Persistence extends PersistencePorts {
  readonly kind: 'in-memory' | 'mongodb';
  /** Whether the store answers now (for `/readyz`). */
  ready(): Promise<boolean>;
  close(): Promise<void>;
}

/** The operator and reason fixture seeding records in its audit events. */
export const fixtureOperator = (source: string): SupportActor => ({ operatorId: 'fixture-loader', reason: `seeded from fixture ${source}` });

/** What seeding a store needs besides the store: time, ids, tokens, and where invitations go. */
export interface SeedingPorts {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly tokens: InvitationTokens;
  readonly notifier: InvitationNotifier;
  readonly logger: Logger;
}

/**
 * The in-memory store seeded with a fixture, through the support operations (as `load-fixture.mjs`
 * loads MongoDB): every seeded organisation's audit log starts with its provisioning.
 */
export async function createInMemoryPersistence(
  fixture: Fixture,
  seeding: SeedingPorts & { readonly source: string },
  store: InMemoryPartnerTeamStore = new InMemoryPartnerTeamStore(),
): Promise<Persistence> {
  const ports = persistencePortsOf(store);
  const operations = createSupportOperations({ ...ports, ...seeding }, { retry: immediateRetryPolicy });
  await loadFixture(operations, ports.organisations, fixture, fixtureOperator(seeding.source));
  return {
    kind: 'in-memory',
    ...ports,
    ready: () => Promise.resolve(true),
    close: () => Promise.resolve(),
  };
}
