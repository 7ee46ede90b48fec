import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  ForbiddenError,
  InvitationExpiredError,
  InvitationNotFoundError,
  OrganisationNotActiveError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, eve, gus } = users;
const acme = () => anOrganisation('acme').withAdmins(ada, bob).withUsers(cy);
const day = 24 * 60 * 60 * 1000;

describe('RevokeInvitation', function () {
  it('revokes a pending invitation, records invitation.revoked, and the token no longer works', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    await team.revoke({ actor: bob, invitationId: invitation.id });
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items).to.be.empty;
    expect(team.auditEvents('acme').map((e) => [e.action, e.actorUserId, e.invitationId])).to.deep.equal([
      ['invitation.created', 'ada', invitation.id],
      ['invitation.revoked', 'bob', invitation.id],
    ]);
    await expectRejection(team.accept({ actor: gus, token: team.notifier.tokenFor(gus.email)! }), InvitationNotFoundError);
  });

  it('treats revoked and accepted invitations as final', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    await team.revoke({ actor: ada, invitationId: invitation.id });
    await expectRejection(team.revoke({ actor: ada, invitationId: invitation.id }), InvitationNotFoundError);

    const second = await team.invite({ actor: ada, email: 'x@example.test' });
    team.givenUsers({ id: 'xavier', name: 'Xavier', email: 'x@example.test', mfaEnabled: false, lastActiveAt: null });
    await team.accept({ actor: 'xavier', token: team.notifier.tokenFor('x@example.test')! });
    await expectRejection(team.revoke({ actor: ada, invitationId: second.id }), InvitationNotFoundError);
    expect(await team.roleOf('xavier')).to.equal('partner_user');
  });

  it('answers an expired invitation with invitation_expired', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    team.clock.advance(7 * day);
    await expectRejection(team.revoke({ actor: ada, invitationId: invitation.id }), InvitationExpiredError);
  });

  it('answers another organisation’s invitation exactly like a missing one', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    const foreign = await team.invite({ actor: eve, email: gus.email });
    const a = await expectRejection(team.revoke({ actor: ada, invitationId: foreign.id }), InvitationNotFoundError);
    const b = await expectRejection(team.revoke({ actor: ada, invitationId: 'inv-9999' }), InvitationNotFoundError);
    expect(a.message).to.equal(b.message);
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'eve' })).items).to.have.length(1);
  });

  it('lets only partner_admins revoke, only in active organisations', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    await expectRejection(team.revoke({ actor: cy, invitationId: invitation.id }), ForbiddenError);
    const suspended = await givenTeam(acme().suspended().withInvitation({ id: 'inv-1', email: gus.email, tokenHash: 'h1' }));
    await expectRejection(suspended.revoke({ actor: ada, invitationId: 'inv-1' }), OrganisationNotActiveError);
    expect(suspended.auditEvents('acme')).to.be.empty;
  });
});
