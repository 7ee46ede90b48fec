// Part 3: database round trips per request type on the MongoDB adapter (driver command
// monitoring), each command with the shape of its filter (an `_id` equality, or a query).
import { randomBytes } from 'node:crypto';
import { createPartnerTeam, persistencePortsOf } from '@partner-team/core';
import { MongoPersistence } from '@partner-team/mongodb';
import { RandomIds, Sha256InvitationTokens, SystemClock } from '@partner-team/node';
import { anOrganisation, MemoryLogger, RecordingNotifier } from '@partner-team/testing';
import { person, terms } from './roster-data.mjs';

const members = 200;

function databaseUri(base) {
  const url = new URL(base);
  url.pathname = `/pt_bench_${randomBytes(4).toString('hex')}`;
  return url.toString();
}

/** Whether the server is FerretDB (which has no query planner to explain index scans with). */
async function isFerretDb(db) {
  const info = await db.admin().command({ buildInfo: 1 });
  return JSON.stringify(info).toLowerCase().includes('ferretdb');
}

export async function runMongo(baseUri) {
  // Both loggers keep their lines in memory, so the benchmark prints nothing of them.
  const logger = new MemoryLogger();
  const persistence = await MongoPersistence.open({ uri: databaseUri(baseUri), logger, clientOptions: { monitorCommands: true } });
  const commands = [];
  // Round trips: sequential waits. A command sent while another is still out travels beside it.
  let outstanding = 0;
  let waves = 0;
  const done = () => (outstanding -= 1);
  persistence.client.on('commandSucceeded', done);
  persistence.client.on('commandFailed', done);
  persistence.client.on('commandStarted', (event) => {
    if (outstanding === 0) waves += 1;
    outstanding += 1;
    const filter = event.command.filter ?? {};
    const shape = event.commandName === 'find' ? (typeof filter._id === 'string' ? ' (_id)' : ' (query)') : '';
    commands.push(event.commandName === 'getMore' ? 'getMore' : `${event.commandName} ${String(event.command[event.commandName]).replace(/^organisation_recent_[0-9a-f]{2}$/, 'organisation_recent_<bucket>')}${shape}`);
  });
  try {
    const people = Array.from({ length: members }, (_, n) => person(n));
    await persistence.users.upsert([...people, { id: 'invitee', name: 'In Vitee', email: 'invitee@partner.example', mfaEnabled: false, lastActiveAt: null }]);
    const organisation = anOrganisation('bench').withAdmins(people[0].id, people[1].id);
    for (const p of people.slice(2)) organisation.withUsers(p.id);
    await persistence.createOrganisation(organisation.build());
    await persistence.putClient({ clientId: 'c1', name: 'Northwind' });
    await persistence.assignClient('bench', people[2].id, 'c1');
    const notifier = new RecordingNotifier();
    const team = createPartnerTeam({
      ...persistencePortsOf(persistence),
      clock: new SystemClock(),
      ids: new RandomIds(),
      tokens: new Sha256InvitationTokens(),
      notifier,
      logger,
    });
    const admin = { actorUserId: people[0].id };
    let invitationId;
    const requests = [
      ['GET /me', () => team.getMyContext.execute(admin), 'read'],
      ['GET /members', () => team.listMembers.execute(admin), 'read'],
      [`GET /members?q=${terms.common}`, () => team.listMembers.execute({ ...admin, q: terms.common }), 'read'],
      ['GET /members/:id/clients', () => team.listAssignedClients.execute({ ...admin, targetUserId: people[2].id }), 'read'],
      ['GET /invitations', () => team.listPendingInvitations.execute(admin), 'read'],
      ['GET /audit-events', () => team.listAuditEvents.execute(admin), 'read'],
      ['PATCH /members/:id', () => team.changeMemberRole.execute({ ...admin, targetUserId: people[3].id, role: 'partner_admin' }), 'mutation'],
      ['DELETE /members/:id', () => team.removeMember.execute({ ...admin, targetUserId: people[4].id }), 'mutation'],
      ['POST /invitations', async () => (invitationId = (await team.inviteUser.execute({ ...admin, email: 'someone@partner.example', role: 'partner_user' })).id), 'mutation'],
      ['DELETE /invitations/:id', () => team.revokeInvitation.execute({ ...admin, invitationId }), 'mutation'],
      ['POST /invitations/accept', async () => {
        await team.inviteUser.execute({ ...admin, email: 'invitee@partner.example', role: 'partner_user' });
        commands.length = 0; // count the accept only
        waves = 0;
        return team.acceptInvitation.execute({ actorUserId: 'invitee', token: notifier.tokenFor('invitee@partner.example') });
      }, 'mutation'],
    ];
    const rows = [];
    for (const [name, run, kind] of requests) {
      commands.length = 0;
      waves = 0;
      await run();
      rows.push({ name, kind, roundTrips: waves, commands: [...commands] });
    }
    return { rows, ferret: await isFerretDb(persistence.db) };
  } finally {
    await persistence.db.dropDatabase();
    await persistence.close();
  }
}
