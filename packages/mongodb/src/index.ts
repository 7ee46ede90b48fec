export { MongoPersistence, type MongoPersistenceOptions } from './mongo-persistence.js';
export { MongoOrganisationRepository } from './mongo-organisation-repository.js';
export { rosterQueryPlan, MongoMembershipLookup, MongoMemberRoster, MongoAuditLog, MongoUserDirectory, MongoClientAssignments } from './mongo-read-ports.js';
export { RosterProjection } from './roster-projection.js';
export { MembershipClaims, claimGraceMs } from './membership-claims.js';
export { CommitLog } from './commit-log.js';
export { collections, ensureIndexes, indexes, type Collections } from './collections.js';
export { isDuplicateKey, translate as translateStoreError } from './store-errors.js';
