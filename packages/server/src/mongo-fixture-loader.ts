import { createSupportOperations, persistencePortsOf, type Clock, type IdGenerator, type InvitationNotifier, type InvitationTokens, type Logger } from '@partner-team/core';
import type { MongoPersistence } from '@partner-team/mongodb';
import type { Fixture } from './fixture.js';
import { loadFixture, type FixtureLoadReport } from './fixture-loader.js';
import { fixtureOperator } from './persistence.js';

/**
 * Loads a fixture into MongoDB through the support operations, idempotently: users are upserted
 * (nothing is written or recorded when the directory already holds them as given); an organisation
 * is provisioned, filled, bootstrapped and assigned its clients only when it does not exist yet, and
 * an existing one is left exactly as it is. Invitations of new organisations go to `ports.notifier`.
 */
export function loadFixtureIntoMongo(
  persistence: MongoPersistence,
  fixture: Fixture,
  ports: { readonly tokens: InvitationTokens; readonly ids: IdGenerator; readonly clock: Clock; readonly notifier: InvitationNotifier; readonly logger: Logger },
  source = 'fixture',
): Promise<FixtureLoadReport> {
  const operations = createSupportOperations({ ...persistencePortsOf(persistence), ...ports });
  return loadFixture(operations, persistence.organisations, fixture, fixtureOperator(source));
}
