export { InMemoryPartnerTeamStore, type InMemoryStoreDump, type InMemoryStoreOptions } from './in-memory-store.js';
