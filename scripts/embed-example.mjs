// The README's embedding example, runnable after a build: `node scripts/embed-example.mjs`.
import { createPartnerTeam, persistencePortsOf } from '@partner-team/core';
import { InMemoryPartnerTeamStore } from '@partner-team/in-memory';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';

const store = new InMemoryPartnerTeamStore();
store.putUser({ id: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example', mfaEnabled: true, lastActiveAt: null });
store.putUser({ id: 'cy', name: 'Cy Hopper', email: 'cy@acme.example', mfaEnabled: false, lastActiveAt: null });
await store.createOrganisation({
  id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true, invitations: [],
  memberships: [{ userId: 'ada', role: 'partner_admin', joinedAt: new Date() }, { userId: 'cy', role: 'partner_user', joinedAt: new Date() }],
});

const logger = { debug() {}, info() {}, warn() {}, error: console.error };
const team = createPartnerTeam({
  ...persistencePortsOf(store), // organisations, memberships, roster, auditLog, users, clients
  clock: new SystemClock(), ids: new RandomIds(), tokens: new Sha256InvitationTokens(),
  notifier: { deliver: async (message) => console.log(`deliver the invitation for ${message.email}`) },
  logger,
});

console.log(await team.changeMemberRole.execute({ actorUserId: 'ada', targetUserId: 'cy', role: 'partner_admin' }));
try {
  await team.changeMemberRole.execute({ actorUserId: 'ada', targetUserId: 'ada', role: 'partner_user' });
} catch (error) {
  console.log(`refused: ${error.code} — ${error.message}`);
}
console.log((await team.listMembers.execute({ actorUserId: 'cy' })).items);
