import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import sinon from 'sinon';
import { ConcurrencyConflictError, ForbiddenError } from '../domain/shared/errors.js';

const { ada, bob, cy } = users;

describe('conflict handling in use cases', function () {
  afterEach(function () {
    sinon.restore();
  });

  it('re-loads and re-decides after a conflict, then succeeds', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
    const save = team.store.organisations.save.bind(team.store.organisations);
    const load = sinon.spy(team.store.organisations, 'loadForMember');
    sinon.stub(team.store.organisations, 'save').onFirstCall().rejects(new ConcurrencyConflictError('acme')).callsFake(save);

    await team.changeRole({ actor: ada, target: cy, role: 'partner_admin' });

    expect(load.callCount).to.equal(2);
    expect(await team.roleOf(cy)).to.equal('partner_admin');
    expect(team.auditEvents('acme')).to.have.length(1);
  });

  it('decides the retry on fresh state: a concurrent demotion of the actor wins', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
    const save = team.store.organisations.save.bind(team.store.organisations);
    sinon.stub(team.store.organisations, 'save').onFirstCall().callsFake(async (change, version) => {
      // Someone demotes ada between her load and her save.
      await save({ ...change, profile: null, upsertedMembers: [{ userId: 'ada', role: 'partner_user', joinedAt: new Date() }], upsertedInvitations: [], events: [] }, version);
      return save(change, version);
    }).callsFake(save);

    await expectRejection(team.changeRole({ actor: ada, target: cy, role: 'partner_admin' }), ForbiddenError);
    expect(await team.roleOf(cy)).to.equal('partner_user');
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('gives up with concurrency_conflict after the bounded number of attempts', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
    const load = sinon.spy(team.store.organisations, 'loadForMember');
    sinon.stub(team.store.organisations, 'save').rejects(new ConcurrencyConflictError('acme'));

    await expectRejection(team.changeRole({ actor: ada, target: cy, role: 'partner_admin' }), ConcurrencyConflictError);

    expect(load.callCount).to.equal(8);
    expect(await team.roleOf(cy)).to.equal('partner_user');
  });
});
