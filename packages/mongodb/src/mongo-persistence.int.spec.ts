import { persistenceContract } from '@partner-team/testing/contracts';
import { freshPersistence } from './test-support/mongo-uri.js';

persistenceContract('MongoPersistence', async () => {
  const persistence = await freshPersistence();
  return {
    organisations: persistence.organisations,
    memberships: persistence.memberships,
    auditLog: persistence.auditLog,
    roster: persistence.roster,
    putUsers: async (users) => {
      for (const user of users) await persistence.putUser(user);
    },
    dispose: () => persistence.drop(),
  };
});
