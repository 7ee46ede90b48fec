import { parseRosterQuery } from '@partner-team/core';
import { anOrganisation, aUser } from '@partner-team/testing';
import { expect } from 'chai';
import type { CommandStartedEvent } from 'mongodb';
import type { MongoPersistence } from './mongo-persistence.js';
import { freshPersistence } from './test-support/mongo-uri.js';

describe('MongoDB membership check: team size and teammates on one read', function () {
  let persistence: MongoPersistence & { drop(): Promise<void> };
  const commands: string[] = [];

  beforeEach(async function () {
    persistence = await freshPersistence({ clientOptions: { monitorCommands: true } });
    persistence.client.on('commandStarted', (event: CommandStartedEvent) => commands.push(`${event.commandName} ${String(event.command[event.commandName])}`));
    for (const id of ['ada', 'bob', 'cy']) await persistence.putUser(aUser(id).withEmail(`${id}@acme.example`).build());
    await persistence.createOrganisation(anOrganisation('acme').withAdmins('ada', 'bob').withUsers('cy').build());
    commands.length = 0;
  });

  afterEach(async function () {
    await persistence.drop();
  });

  const unsearched = () => parseRosterQuery({}, 'partner_admin');

  it('reads the member count with the membership, and an unsearched page then does not count', async function () {
    const ada = await persistence.memberships.findByUser('ada');
    expect(ada?.memberCount).to.equal(3);
    // The claim was cached when the organisation was created: the head is the only read.
    expect(commands).to.deep.equal(['find organisation_commits']);
    commands.length = 0;
    const page = await persistence.roster.page('acme', unsearched(), ada?.memberCount);
    expect(page.total).to.equal(3);
    expect(page.items.map((i) => i.userId)).to.have.members(['ada', 'bob', 'cy']);
    expect(commands).to.deep.equal(['find roster_members']);
  });

  it('still counts the matches of a search', async function () {
    const page = await persistence.roster.page('acme', parseRosterQuery({ q: 'cy@' }, 'partner_admin'), 3);
    expect(page.total).to.equal(1);
    expect(commands).to.include('aggregate roster_members');
  });

  it('counts the roster when the head predates the member count (commits of an earlier version)', async function () {
    await persistence.collections.commits.updateMany({}, { $unset: { mc: '' } });
    const ada = await persistence.memberships.findByUser('ada');
    expect(ada).to.not.have.property('memberCount');
    expect(ada?.membership.role).to.equal('partner_admin');
    commands.length = 0;
    const page = await persistence.roster.page('acme', unsearched(), ada?.memberCount);
    expect(page.total).to.equal(3);
    // Counted by the store (countDocuments sends an aggregate), not taken from the page's length.
    expect(commands).to.include('aggregate roster_members');
  });

  it('keeps the count in step with joins and removals', async function () {
    await persistence.putUser(aUser('dee').withEmail('dee@acme.example').build());
    const before = (await persistence.organisations.load('acme'))!;
    await persistence.organisations.save(
      { ...before.state, memberships: [...before.state.memberships, { userId: 'dee', role: 'partner_user', joinedAt: new Date() }] },
      before.version,
      [],
    );
    expect((await persistence.memberships.findByUser('ada'))?.memberCount).to.equal(4);
    const joined = (await persistence.organisations.load('acme'))!;
    const state = joined.state;
    await persistence.organisations.save({ ...state, memberships: state.memberships.filter((m) => m.userId !== 'cy') }, joined.version, []);
    expect((await persistence.memberships.findByUser('ada'))?.memberCount).to.equal(3);
  });

  it('answers the actor and a teammate from one read of the head', async function () {
    const found = await persistence.memberships.findWithTeammate('ada', 'cy');
    expect(found?.teammateIsMember).to.equal(true);
    expect(found?.membership.role).to.equal('partner_admin');
    expect(commands).to.deep.equal(['find organisation_commits']);
    expect((await persistence.memberships.findWithTeammate('ada', 'zed'))?.teammateIsMember).to.equal(false);
  });
});
