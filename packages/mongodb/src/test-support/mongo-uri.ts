import { randomBytes } from 'node:crypto';
import type { Logger } from '@partner-team/core';
import { MongoPersistence, type MongoPersistenceOptions } from '../mongo-persistence.js';

/**
 * The MongoDB-compatible server the suites run against. Never skipped: without MONGODB_URI the
 * suites fail, because a missing server in CI must be a failure (`npm test` starts FerretDB).
 */
export function mongoUri(): string {
  const uri = process.env.MONGODB_URI;
  if (uri === undefined || uri === '') {
    throw new Error('MONGODB_URI is not set. Run the MongoDB suites through `npm test`, which builds and starts FerretDB, or point MONGODB_URI at a MongoDB server.');
  }
  return uri;
}

export const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** A persistence over a fresh, uniquely named database; `drop()` removes it. */
export async function freshPersistence(options: Partial<MongoPersistenceOptions> = {}): Promise<MongoPersistence & { drop(): Promise<void> }> {
  const databaseName = `pt_test_${randomBytes(6).toString('hex')}`;
  const persistence = await MongoPersistence.open({ uri: mongoUri(), logger: silentLogger, databaseName, ...options });
  return Object.assign(persistence, {
    async drop(): Promise<void> {
      await persistence.db.dropDatabase();
      await persistence.close();
    },
  });
}
