import { parseRosterQuery } from '@partner-team/core/roster';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import type { CommandStartedEvent } from 'mongodb';
import type { MongoPersistence } from './mongo-persistence.js';
import { freshPersistence } from './test-support/mongo-uri.js';

const change = (n: number, members: { set?: { userId: string; role: 'partner_admin' | 'partner_user' }[]; removed?: string[] }) => ({
  organisationId: 'acme',
  profile: null,
  upsertedMembers: (members.set ?? []).map((m) => ({ ...m, joinedAt: new Date() })),
  removedMembers: members.removed ?? [],
  upsertedInvitations: [],
  removedInvitations: [],
  events: [
    {
      id: `evt-${n}`,
      organisationId: 'acme',
      action: 'member.role_changed' as const,
      actorKind: 'partner_member' as const,
      actorUserId: 'ada',
      reason: null,
      targetUserId: 'bob',
      invitationId: null,
      before: null,
      after: null,
      at: new Date(),
      requestId: null,
    },
  ],
});

/**
 * What each port question reads and writes: the adapter's promises (ADR 0006). Every read on a
 * request's path is one `_id` equality on a collection that does not grow with history; a change is
 * one insert into history and one write of its ring slot.
 */
describe('MongoDB adapter: what each question reads and writes', function () {
  let persistence: MongoPersistence & { drop(): Promise<void> };
  let other: (MongoPersistence & { drop(): Promise<void> }) | undefined;
  const commands: string[] = [];

  beforeEach(async function () {
    persistence = await freshPersistence({ clientOptions: { monitorCommands: true } });
    persistence.client.on('commandStarted', (event: CommandStartedEvent) => {
      const filter = (event.command.filter ?? {}) as { _id?: unknown };
      const shape = event.commandName === 'find' ? (typeof filter._id === 'string' ? ' by _id' : ' by query') : '';
      // The ring slots' bucket (one of 64 collections) does not matter here: `organisation_recent`.
      const collection = String(event.command[event.commandName]).replace(/^organisation_recent_[0-9a-f]{2}$/, 'organisation_recent');
      commands.push(`${event.commandName} ${collection}${shape}`);
    });
    for (const id of ['ada', 'bob', 'cy', 'dee']) await persistence.putUser(aUser(id).withEmail(`${id}@acme.example`).build());
    await persistence.createOrganisation(anOrganisation('acme').withAdmins('ada', 'bob').withUsers('cy').build());
    commands.length = 0;
  });

  afterEach(async function () {
    await other?.close();
    other = undefined;
    await persistence.drop();
  });

  it('checks a membership with one read of the head, and the page that follows reads nothing', async function () {
    const ada = await persistence.memberships.findByUser('ada');
    expect(ada?.membership.role).to.equal('partner_admin');
    expect(commands).to.deep.equal(['find organisation_heads by _id']);
    commands.length = 0;
    const page = await persistence.roster.page('acme', parseRosterQuery({ q: 'cy@' }, 'partner_admin'));
    expect(page.total).to.equal(1);
    expect(commands).to.deep.equal([]);
    expect((await persistence.users.findById('cy'))?.email).to.equal('cy@acme.example');
    expect(commands).to.deep.equal([], 'a member’s profile comes from the view just confirmed');
  });

  it('reads the profile of someone this process has not met as a member with one read of their users document', async function () {
    // dee belongs to no organisation (an invitee about to accept), and this process never met her.
    other = await freshPersistence({ databaseName: persistence.db.databaseName, clientOptions: { monitorCommands: true } });
    const seen: string[] = [];
    other.client.on('commandStarted', (event: CommandStartedEvent) => seen.push(`${event.commandName} ${String(event.command[event.commandName])}`));
    expect((await other.users.findById('dee'))?.email).to.equal('dee@acme.example');
    expect(seen).to.deep.equal(['find users']);
  });

  it('answers the profile of a member of an organisation it just confirmed from that view, even for a member it never looked up', async function () {
    // A PATCH on another process: the actor's membership check confirms the view, then the target's
    // profile (a member whose claim that process never read) must not cost a read of the directory.
    other = await freshPersistence({ databaseName: persistence.db.databaseName, clientOptions: { monitorCommands: true } });
    const seen: string[] = [];
    other.client.on('commandStarted', (event: CommandStartedEvent) => seen.push(`${event.commandName} ${String(event.command[event.commandName])}`));
    expect((await other.memberships.findByUser('ada'))?.organisation.id).to.equal('acme');
    seen.length = 0;
    expect((await other.users.findById('cy'))?.email).to.equal('cy@acme.example');
    expect(seen).to.deep.equal([]);
  });

  it('spreads the organisations’ ring slots over many small collections, so a slot write never scans them all', async function () {
    // FerretDB replaces a document by `_id` with two scans of its whole table: with every
    // organisation's slots in one collection, a PATCH cost 8.4x more beside 1,000 organisations.
    const ids = Array.from({ length: 48 }, (_, n) => `org${n}`);
    for (const id of ids) {
      await persistence.putUser(aUser(`${id}-admin`).withEmail(`admin@${id}.example`).build());
      await persistence.createOrganisation(anOrganisation(id).withAdmins(`${id}-admin`).build());
    }
    const names = await persistence.db.listCollections({}, { nameOnly: true }).toArray();
    const holding: number[] = [];
    for (const { name } of names.filter((c) => c.name.startsWith('organisation_recent'))) {
      holding.push(await persistence.db.collection(name).countDocuments({ _id: { $regex: '^~r/org' } } as never));
    }
    const slots = holding.reduce((a, b) => a + b, 0);
    expect(slots).to.equal(ids.length);
    expect(holding.filter((n) => n > 0).length, 'collections holding slots').to.be.at.least(24);
    expect(Math.max(...holding), 'the fullest collection').to.be.at.most(ids.length / 8);
  });

  it('loads a decision’s record with one read, and saves it with one insert into history, then its ring slot and head at once', async function () {
    const loaded = await persistence.organisations.loadForMember('ada', ['cy', 'zed']);
    expect(loaded?.members.get('cy')?.role).to.equal('partner_user');
    expect(loaded?.members.get('zed')).to.equal(null);
    expect(loaded?.adminCount).to.equal(2);
    expect(commands).to.deep.equal(['find organisation_heads by _id']);
    commands.length = 0;
    await persistence.organisations.save(change(1, { set: [{ userId: 'cy', role: 'partner_admin' }] }), loaded!.version);
    expect(commands).to.deep.equal(['insert organisation_history', 'update organisation_recent', 'update organisation_heads']);
  });

  it('claims the members an import adds to an existing organisation in commands whose number does not grow with them', async function () {
    const ids = Array.from({ length: 60 }, (_, n) => `imp${String(n).padStart(2, '0')}`);
    await persistence.users.upsert(ids.map((id) => ({ id, name: id, email: `${id}@acme.example`, mfaEnabled: false })));
    const loaded = await persistence.organisations.load('acme', ids);
    commands.length = 0;
    await persistence.organisations.save(change(1, { set: ids.map((userId) => ({ userId, role: 'partner_user' })) }), loaded!.version);
    expect(commands.filter((c) => c.includes('membership_claims'))).to.have.length.at.most(3);
    for (const id of ['imp00', 'imp59']) expect((await persistence.memberships.findByUser(id))?.organisation.id).to.equal('acme');
  });

  it('finds the organisation of an invitation token with one read, and an unknown one with one read', async function () {
    expect(await persistence.organisations.findByInvitationTokenHash('no-such-hash')).to.equal(undefined);
    expect(commands).to.deep.equal(['find invitation_tokens by _id']);
  });

  it('shows another process’s change at the next check, and a cold process loads the same state', async function () {
    other = await freshPersistence({ databaseName: persistence.db.databaseName });
    const seen = await other.organisations.loadForMember('ada');
    await other.organisations.save(change(1, { removed: ['cy'] }), seen!.version);
    expect(await persistence.memberships.findByUser('cy')).to.equal(undefined);
    expect((await persistence.roster.page('acme', parseRosterQuery({}, 'partner_admin'))).total).to.equal(2);
    persistence.forgetViews();
    const cold = await persistence.exportOrganisation('acme');
    expect(cold?.version).to.equal(2);
    expect(cold?.state.memberships.map((m) => m.userId).sort()).to.deep.equal(['ada', 'bob']);
  });

  it('catches up through history when it fell more than a ring behind', async function () {
    other = await freshPersistence({ databaseName: persistence.db.databaseName });
    await persistence.memberships.findByUser('ada');
    for (let n = 1; n <= 70; n += 1) {
      const seen = await other.organisations.loadForMember('ada');
      await other.organisations.save(change(n, { set: [{ userId: 'cy', role: n % 2 === 0 ? 'partner_user' : 'partner_admin' }] }), seen!.version);
    }
    const record = await persistence.organisations.loadForMember('ada', ['cy']);
    expect(record?.version).to.equal(71);
    expect(record?.members.get('cy')?.role).to.equal('partner_user');
    expect(commands.filter((c) => c.includes('organisation_history by query'))).to.have.length(1);
  });

  it('shows a change whose ring write was lost, however long ago, without any later write: the view asks history once its check is due', async function () {
    // Issue 11 item 8: a writer's entry landed in history, then the store went away (or the writer
    // died) before its ring slot was written, and nothing is ever written to the organisation again.
    other = await freshPersistence({ databaseName: persistence.db.databaseName, historyCheckMs: 400 });
    expect((await other.memberships.findByUser('cy'))?.membership.role).to.equal('partner_user');
    await other.settle(); // the history check a cold load starts beside its request
    const entry = { _id: `acme/${String(2).padStart(10, '0')}`, o: 'acme', s: 2, at: new Date(), w: 'lost', c: { pr: null, um: [], rm: ['cy'], ui: [], ri: [], aa: [], ra: [] }, p: {}, e: [], ep: 1, ev: 0 };
    await persistence.db.collection('organisation_history').insertOne(entry as never);
    expect((await other.memberships.findByUser('cy'))?.membership.role, 'before the check is due').to.equal('partner_user');
    await new Promise((resolve) => setTimeout(resolve, 500));
    // The request that finds the check due starts it beside itself; the requests after it see the entry.
    await other.memberships.findByUser('cy');
    await other.settle();
    expect(await other.memberships.findByUser('cy'), 'once the check is due').to.equal(undefined);
    expect((await other.roster.page('acme', parseRosterQuery({}, 'partner_admin'))).items.map((m) => m.userId).sort()).to.deep.equal(['ada', 'bob']);
    expect(await persistence.collections.recent('acme').countDocuments({ _id: `~r/acme/2` as never, s: 2 }), 'the check also repaired the slot').to.equal(1);
    expect(await persistence.db.collection('organisation_heads').countDocuments({ _id: 'acme' as never, s: 2 }), 'and the head').to.equal(1);
  });

  it('repairs the ring slot a crashed writer left out, at the next conflict, so no view stays behind', async function () {
    const seen = await persistence.organisations.loadForMember('ada');
    // A writer that died after inserting its entry into history, before writing its ring slot.
    const entry = { _id: `acme/${String(2).padStart(10, '0')}`, o: 'acme', s: 2, at: new Date(), w: 'crashed', c: { pr: null, um: [], rm: ['cy'], ui: [], ri: [], aa: [], ra: [] }, p: {}, e: [], ep: 1, ev: 0 };
    await persistence.db.collection('organisation_history').insertOne(entry as never);
    expect((await persistence.memberships.findByUser('cy'))?.membership.role, 'the ring does not show it yet').to.equal('partner_user');
    let conflict: unknown;
    try {
      await persistence.organisations.save(change(1, { set: [{ userId: 'bob', role: 'partner_user' }] }), seen!.version);
    } catch (error: unknown) {
      conflict = error;
    }
    expect(String(conflict)).to.match(/ConcurrencyConflictError|changed concurrently/);
    expect(await persistence.memberships.findByUser('cy')).to.equal(undefined);
  });
});
