import { persistencePortsOf } from '@partner-team/core';
import { persistenceContract } from '@partner-team/testing/contracts';
import { InMemoryPartnerTeamStore } from './in-memory-store.js';

persistenceContract('InMemoryPartnerTeamStore', () => {
  const store = new InMemoryPartnerTeamStore({ interleave: true });
  return Promise.resolve({
    ...persistencePortsOf(store),
    putUsers: (users) => {
      for (const user of users) store.putUser(user);
      return Promise.resolve();
    },
  });
});
