// The bundled server as a library: build its container and Express app in your own process, or load
// a fixture into MongoDB. The `partner-team-server` bin runs the same thing from the environment.
export { createApp, apiMountPath, operationsMountPath } from './app.js';
export { createContainer, randomSessionSecret, TYPES, type ContainerOverrides, type MongoPersistenceFactory } from './container.js';
export { loadConfig, ConfigError, demoFixturePath, type ServerConfig } from './config.js';
export { readFixture, FixtureError, type Fixture } from './fixture.js';
export type { Persistence } from './persistence.js';
export { WinstonLogger } from './adapters/winston-logger.js';
export { LoggingInvitationNotifier } from './adapters/invitation-delivery.js';
export { loadFixtureIntoMongo } from './mongo-fixture-loader.js';
export { loadFixture, type FixtureLoadReport } from './fixture-loader.js';
