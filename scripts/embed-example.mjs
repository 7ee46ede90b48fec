// The README's embedding example, runnable after a build: `node scripts/embed-example.mjs`.
import { createPartnerTeam, persistencePortsOf } from '@partner-team/core';
import {
  InMemoryPartnerTeamStore, FixedClock, SequentialIds, DeterministicTokens,
  RecordingNotifier, MemoryLogger, anOrganisation, aUser,
} from '@partner-team/testing';

const store = new InMemoryPartnerTeamStore();
store.putUser(aUser('ada').named('Ada Lovelace').withEmail('ada@acme.example').build());
store.putUser(aUser('cy').named('Cy Hopper').withEmail('cy@acme.example').build());
await store.organisations.save(anOrganisation('acme').withAdmins('ada').withUsers('cy').build(), 0, []);

const team = createPartnerTeam({
  ...persistencePortsOf(store), // organisations, memberships, roster, auditLog, users, clients
  clock: new FixedClock(), ids: new SequentialIds(), tokens: new DeterministicTokens(),
  notifier: new RecordingNotifier(), logger: new MemoryLogger(),
});

console.log(await team.changeMemberRole.execute({ actorUserId: 'ada', targetUserId: 'cy', role: 'partner_admin' }));
try {
  await team.changeMemberRole.execute({ actorUserId: 'ada', targetUserId: 'ada', role: 'partner_user' });
} catch (error) {
  console.log(`refused: ${error.code} — ${error.message}`);
}
console.log((await team.listMembers.execute({ actorUserId: 'cy' })).items);
