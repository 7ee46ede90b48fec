export { createApp, apiMountPath } from './app.js';
export { createContainer, randomSessionSecret, TYPES, type ContainerOverrides, type MongoPersistenceFactory } from './container.js';
export { loadConfig, ConfigError, demoFixturePath, type ServerConfig } from './config.js';
export {
  parseFixture,
  readFixture,
  withFixtureInvitations,
  fixtureSchema,
  FixtureError,
  type Fixture,
  type FixtureFile,
  type FixtureInvitation,
} from './fixture.js';
export { createInMemoryPersistence, type Persistence } from './persistence.js';
export { SystemClock } from './adapters/system-clock.js';
export { RandomIds } from './adapters/random-ids.js';
export { Sha256InvitationTokens } from './adapters/sha256-invitation-tokens.js';
export { WinstonLogger, redact } from './adapters/winston-logger.js';
export { LoggingInvitationNotifier } from './adapters/invitation-delivery.js';
export { loadFixtureIntoMongo, type FixtureLoadReport } from './mongo-fixture-loader.js';
