import { parseRosterQuery } from '@partner-team/core/roster';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import type { CommandStartedEvent } from 'mongodb';
import type { MongoPersistence } from './mongo-persistence.js';
import { freshPersistence } from './test-support/mongo-uri.js';

/** The commands each port question sends: the adapter's round-trip promises (ADR 0006). */
describe('MongoDB adapter: commands per question', function () {
  let persistence: MongoPersistence & { drop(): Promise<void> };
  const commands: string[] = [];

  beforeEach(async function () {
    persistence = await freshPersistence({ clientOptions: { monitorCommands: true } });
    persistence.client.on('commandStarted', (event: CommandStartedEvent) => commands.push(`${event.commandName} ${String(event.command[event.commandName])}`));
    for (const id of ['ada', 'bob', 'cy', 'dee']) await persistence.putUser(aUser(id).withEmail(`${id}@acme.example`).build());
    await persistence.createOrganisation(anOrganisation('acme').withAdmins('ada', 'bob').withUsers('cy').build());
    commands.length = 0;
  });

  afterEach(async function () {
    await persistence.drop();
  });

  const unsearched = () => parseRosterQuery({}, 'partner_admin');
  const aSecondLater = () => new Promise((resolve) => setTimeout(resolve, 1100));

  it('checks a membership with one read of the head, and the page that follows does not count', async function () {
    const ada = await persistence.memberships.findByUser('ada');
    expect(ada?.membership.role).to.equal('partner_admin');
    // The claim was cached when the organisation was created: the head is the only read.
    expect(commands).to.deep.equal(['find organisation_commits']);
    commands.length = 0;
    const page = await persistence.roster.page('acme', unsearched());
    expect(page.total).to.equal(3);
    expect(page.items.map((i) => i.userId)).to.have.members(['ada', 'bob', 'cy']);
    expect(commands).to.deep.equal(['find roster_members']);
  });

  it('counts the roster when no head was read within the last second, and for every search', async function () {
    await aSecondLater();
    expect((await persistence.roster.page('acme', unsearched())).total).to.equal(3);
    // countDocuments sends an aggregate: counted by the store, not taken from the page's length.
    expect(commands).to.include('aggregate roster_members');
    commands.length = 0;
    await persistence.memberships.findByUser('ada');
    const page = await persistence.roster.page('acme', parseRosterQuery({ q: 'cy@' }, 'partner_admin'));
    expect(page.total).to.equal(1);
    expect(commands).to.include('aggregate roster_members');
  });

  it('keeps the recent member count in step with joins and removals', async function () {
    const before = (await persistence.organisations.load('acme'))!;
    const joined = { organisationId: 'acme', profile: null, removedMembers: [], upsertedInvitations: [], removedInvitations: [], events: [] };
    await persistence.organisations.save({ ...joined, upsertedMembers: [{ userId: 'dee', role: 'partner_user', joinedAt: new Date() }] }, before.version);
    expect((await persistence.roster.page('acme', unsearched())).total).to.equal(4);
    await persistence.organisations.save({ ...joined, upsertedMembers: [], removedMembers: ['cy'] }, before.version + 1);
    expect((await persistence.roster.page('acme', unsearched())).total).to.equal(3);
  });

  it('loads the organisation of a member with a teammate on one read of the head', async function () {
    const loaded = await persistence.organisations.loadForMember('ada', ['cy', 'zed']);
    expect(loaded?.members.get('cy')?.role).to.equal('partner_user');
    expect(loaded?.members.get('zed')).to.equal(null);
    expect(loaded?.adminCount).to.equal(2);
    expect(commands).to.deep.equal(['find organisation_commits']);
  });

  it('counts the roster when the head predates the member count (commits of an earlier version)', async function () {
    await persistence.db.collection('organisation_commits').updateMany({}, { $unset: { mc: '' } });
    await aSecondLater();
    expect((await persistence.memberships.findByUser('ada'))?.membership.role).to.equal('partner_admin');
    commands.length = 0;
    expect((await persistence.roster.page('acme', unsearched())).total).to.equal(3);
    expect(commands).to.include('aggregate roster_members');
  });
});
