// Test support for Partner Team: deterministic adapters, builders, named fixtures and a wired team.
// No test framework is imported from here; `./assertions` and `./contracts` use chai and mocha.
export { FixedClock } from './fixed-clock.js';
export { SequentialIds } from './sequential-ids.js';
export { DeterministicTokens } from './deterministic-tokens.js';
export { RecordingNotifier } from './recording-notifier.js';
export { MemoryLogger, type LogLine } from './memory-logger.js';
export { aUser, UserBuilder } from './builders/user-builder.js';
export { anOrganisation, OrganisationBuilder } from './builders/organisation-builder.js';
export { users } from './builders/fixtures.js';
export { creationOf } from './creation.js';
export { TestTeam, givenTeam, type TestTeamOptions } from './test-team.js';
