export { MongoPersistence, type MongoPersistenceOptions } from './mongo-persistence.js';
