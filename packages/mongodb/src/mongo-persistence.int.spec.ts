import { persistencePortsOf } from '@partner-team/core';
import { persistenceContract } from '@partner-team/testing/contracts';
import { freshPersistence } from './test-support/mongo-uri.js';

persistenceContract('MongoPersistence', async () => {
  const persistence = await freshPersistence();
  return {
    ...persistencePortsOf(persistence),
    putUsers: async (users) => {
      for (const user of users) await persistence.putUser(user);
    },
    dispose: () => persistence.drop(),
  };
});
