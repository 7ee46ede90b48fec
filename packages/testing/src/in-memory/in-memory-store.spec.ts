import { persistenceContract } from '../contracts/persistence-contract.js';
import { InMemoryPartnerTeamStore } from './in-memory-store.js';

persistenceContract('InMemoryPartnerTeamStore', () => {
  const store = new InMemoryPartnerTeamStore({ interleave: true });
  return Promise.resolve({
    organisations: store.organisations,
    memberships: store.memberships,
    auditLog: store.auditLog,
    roster: store.roster,
    putUsers: (users) => {
      for (const user of users) store.putUser(user);
      return Promise.resolve();
    },
  });
});
