import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  ForbiddenError,
  LastAdminError,
  MemberNotFoundError,
  NotAPartnerMemberError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  SelfRoleChangeError,
  ValidationError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, dee, eve, gus } = users;
const acme = () => anOrganisation('acme').withAdmins(ada, bob).withUsers(cy, dee);
const globex = () => anOrganisation('globex').withAdmins(eve);

describe('ChangeMemberRole', function () {
  it('moves another member between partner_user and partner_admin and records one audit event', async function () {
    const team = await givenTeam(acme());

    const member = await team.useCases.changeMemberRole.execute({ actorUserId: 'ada', targetUserId: 'cy', role: 'partner_admin', requestId: 'req-7' });

    expect(member).to.deep.equal({ userId: 'cy', name: 'Cy Hopper', email: 'cy@acme.example', role: 'partner_admin', mfaEnabled: true, lastActiveAt: null });
    expect(await team.roleOf(cy)).to.equal('partner_admin');
    expect(team.auditEvents('acme')).to.deep.equal([
      {
        id: 'evt-0001',
        organisationId: 'acme',
        action: 'member.role_changed',
        actorKind: 'partner_member',
        actorUserId: 'ada',
        reason: null,
        targetUserId: 'cy',
        invitationId: null,
        before: { role: 'partner_user' },
        after: { role: 'partner_admin' },
        at: team.clock.now(),
        requestId: 'req-7',
      },
    ]);
  });

  it('demotes another admin while one admin remains', async function () {
    const team = await givenTeam(acme());
    await team.changeRole({ actor: ada, target: bob, role: 'partner_user' });
    expect(await team.roleOf(bob)).to.equal('partner_user');
    expect(await team.roleOf(ada)).to.equal('partner_admin');
  });

  it('refuses to change the actor’s own role', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.changeRole({ actor: ada, target: ada, role: 'partner_user' }), SelfRoleChangeError);
    expect(await team.roleOf(ada)).to.equal('partner_admin');
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('refuses a partner_user’s self promotion as a self change', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.changeRole({ actor: cy, target: cy, role: 'partner_admin' }), SelfRoleChangeError);
    expect(await team.roleOf(cy)).to.equal('partner_user');
  });

  it('refuses to demote the last partner_admin', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).withUsers(cy));
    await expectRejection(team.changeRole({ actor: cy, target: ada, role: 'partner_user' }), LastAdminError);
    expect(await team.roleOf(ada)).to.equal('partner_admin');
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('lets only partner_admins change roles', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.changeRole({ actor: cy, target: dee, role: 'partner_admin' }), ForbiddenError);
    await expectRejection(team.changeRole({ actor: cy, target: bob, role: 'partner_user' }), ForbiddenError);
    expect(await team.roleOf(dee)).to.equal('partner_user');
    expect(await team.roleOf(bob)).to.equal('partner_admin');
    expect(team.auditEvents('acme')).to.be.empty;
  });

  for (const status of ['suspended', 'archived'] as const) {
    it(`refuses every role change while the organisation is ${status}`, async function () {
      const team = await givenTeam(acme().withStatus(status));
      const error = await expectRejection(team.changeRole({ actor: ada, target: cy, role: 'partner_admin' }), OrganisationNotActiveError);
      expect(error.status).to.equal(status);
      expect(await team.roleOf(cy)).to.equal('partner_user');
      expect(team.auditEvents('acme')).to.be.empty;
    });
  }

  it('refuses role changes while partner bootstrap is pending', async function () {
    const team = await givenTeam(acme().bootstrapPending());
    await expectRejection(team.changeRole({ actor: ada, target: cy, role: 'partner_admin' }), PartnerBootstrapIncompleteError);
    expect(await team.roleOf(cy)).to.equal('partner_user');
  });

  it('answers a member of another organisation exactly like a missing user', async function () {
    const team = await givenTeam(acme(), globex());
    const foreign = await expectRejection(team.changeRole({ actor: ada, target: eve, role: 'partner_user' }), MemberNotFoundError);
    const missing = await expectRejection(team.changeRole({ actor: ada, target: 'nobody', role: 'partner_user' }), MemberNotFoundError);
    expect(foreign.message).to.equal(missing.message);
    expect(await team.roleOf(eve)).to.equal('partner_admin');
    expect(team.allAuditEvents()).to.be.empty;
  });

  it('refuses a signed-in user without a partner membership', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.changeRole({ actor: gus, target: cy, role: 'partner_admin' }), NotAPartnerMemberError);
  });

  it('changes nothing and records nothing when the member already has the role', async function () {
    const team = await givenTeam(acme());
    const member = await team.changeRole({ actor: ada, target: cy, role: 'partner_user' });
    expect(member.role).to.equal('partner_user');
    expect((await team.store.organisations.load('acme'))?.version).to.equal(1);
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('validates the target id and the role before touching anything', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.changeRole({ actor: ada, target: '{"$ne":1}', role: 'partner_user' }), ValidationError);
    await expectRejection(
      team.useCases.changeMemberRole.execute({ actorUserId: 'ada', targetUserId: 'cy', role: 'owner' as never }),
      ValidationError,
    );
    expect(team.auditEvents('acme')).to.be.empty;
  });
});
