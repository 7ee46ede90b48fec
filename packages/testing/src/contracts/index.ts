export { persistenceContract, type PersistenceSubject } from './persistence-contract.js';
