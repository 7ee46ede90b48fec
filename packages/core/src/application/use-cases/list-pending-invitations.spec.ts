import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import { ForbiddenError, PartnerBootstrapIncompleteError } from '../../domain/shared/errors.js';

const { ada, cy, eve } = users;
const day = 24 * 60 * 60 * 1000;

describe('ListPendingInvitations', function () {
  it('shows admins pending, unexpired invitations newest first, without tokens or hashes', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).withUsers(cy), anOrganisation('globex').withAdmins(eve));
    await team.invite({ actor: ada, email: 'old@example.test' });
    team.clock.advance(6 * day);
    await team.invite({ actor: ada, email: 'new@example.test' });
    await team.invite({ actor: eve, email: 'other@example.test' });
    team.clock.advance(day);
    const { items } = await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' });
    expect(items.map((i) => i.email)).to.deep.equal(['new@example.test']);
    expect(Object.keys(items[0]!).sort()).to.deep.equal(['createdAt', 'email', 'expiresAt', 'id', 'invitedBy', 'role']);
  });

  it('refuses partner_users', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).withUsers(cy));
    await expectRejection(team.useCases.listPendingInvitations.execute({ actorUserId: 'cy' }), ForbiddenError);
  });

  it('still answers in a suspended organisation, not while bootstrap is pending', async function () {
    const suspended = await givenTeam(anOrganisation('acme').withAdmins(ada).suspended());
    expect((await suspended.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items).to.deep.equal([]);
    const pending = await givenTeam(anOrganisation('acme').withAdmins(ada).bootstrapPending());
    await expectRejection(pending.useCases.listPendingInvitations.execute({ actorUserId: 'ada' }), PartnerBootstrapIncompleteError);
  });
});
