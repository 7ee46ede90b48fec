import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import { NotAPartnerMemberError } from '../../domain/shared/errors.js';

const { ada, cy, gus } = users;

describe('GetMyContext', function () {
  it('tells an admin of an active organisation everything they may do', async function () {
    const team = await givenTeam(anOrganisation('acme').named('Acme').withAdmins(ada).withUsers(cy));
    expect(await team.useCases.getMyContext.execute({ actorUserId: 'ada' })).to.deep.equal({
      user: { id: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example' },
      organisation: { id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true },
      role: 'partner_admin',
      permissions: [
        'members.view',
        'clients.view_own',
        'members.view_activity',
        'clients.view_any',
        'invitations.view',
        'audit.view',
        'invitations.create',
        'invitations.revoke',
        'members.change_role',
        'members.remove',
      ],
    });
  });

  it('gives partner_users read permissions only', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).withUsers(cy));
    expect((await team.useCases.getMyContext.execute({ actorUserId: 'cy' })).permissions).to.deep.equal(['members.view', 'clients.view_own']);
  });

  it('drops management permissions while suspended and invitation creation while disabled', async function () {
    const suspended = await givenTeam(anOrganisation('acme').withAdmins(ada).suspended());
    expect((await suspended.useCases.getMyContext.execute({ actorUserId: 'ada' })).permissions).to.deep.equal([
      'members.view',
      'clients.view_own',
      'members.view_activity',
      'clients.view_any',
      'invitations.view',
      'audit.view',
    ]);
    const disabled = await givenTeam(anOrganisation('acme').withAdmins(ada).invitationsDisabled());
    expect((await disabled.useCases.getMyContext.execute({ actorUserId: 'ada' })).permissions).not.to.include('invitations.create');
  });

  it('answers while bootstrap is pending, with no permissions, so the page can say why', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).bootstrapPending());
    const me = await team.useCases.getMyContext.execute({ actorUserId: 'ada' });
    expect(me.organisation.bootstrapped).to.equal(false);
    expect(me.permissions).to.deep.equal([]);
  });

  it('refuses a signed-in user without partner membership', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada));
    await expectRejection(team.useCases.getMyContext.execute({ actorUserId: gus.id }), NotAPartnerMemberError);
  });
});
