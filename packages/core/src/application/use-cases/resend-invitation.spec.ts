import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  ForbiddenError,
  InvitationExpiredError,
  InvitationNotFoundError,
  InvitationsDisabledError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  ValidationError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, eve, gus } = users;
const acme = () => anOrganisation('acme').named('Acme').withAdmins(ada, bob).withUsers(cy);
const day = 24 * 60 * 60 * 1000;

describe('ResendInvitation', function () {
  it('sends a fresh token, kills the old one, renews the expiry from now and records one invitation.resent', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    const first = team.notifier.tokenFor(gus.email)!;
    team.clock.advance(3 * day);

    const resent = await team.useCases.resendInvitation.execute({ actorUserId: 'bob', invitationId: invitation.id, requestId: 'r-resend' });

    expect(resent).to.deep.equal({ ...invitation, expiresAt: new Date(team.clock.now().getTime() + 7 * day), delivery: 'sent' });
    expect(team.notifier.delivered).to.have.length(2);
    const second = team.notifier.tokenFor(gus.email)!;
    expect(second).to.equal(team.tokens.issued[1]).and.not.equal(first);
    // The invitation's inviter (ada), not the admin who resent it (bob): the inviter does not change.
    expect(team.notifier.delivered[1]).to.include({ invitationId: invitation.id, organisationName: 'Acme', email: gus.email, role: 'partner_user', invitedBy: 'ada', inviterName: 'Ada Lovelace' });
    expect(team.notifier.delivered[1]?.expiresAt).to.deep.equal(resent.expiresAt);
    expect(team.auditEvents('acme').map((e) => [e.action, e.actorUserId, e.invitationId, e.targetUserId, e.requestId])).to.deep.equal([
      ['invitation.created', 'ada', invitation.id, null, null],
      ['invitation.resent', 'bob', invitation.id, null, 'r-resend'],
    ]);
    const stored = team.stateOf('acme').invitations;
    expect(stored.map((i) => [i.id, i.status, i.tokenHash])).to.deep.equal([[invitation.id, 'pending', team.tokens.hash(second)]]);
    expect(JSON.stringify(team.store.dump())).not.to.include(second);

    await expectRejection(team.accept({ actor: gus, token: first }), InvitationNotFoundError);
    expect(await team.accept({ actor: gus, token: second })).to.deep.equal({ organisation: { id: 'acme', name: 'Acme' }, role: 'partner_user' });
  });

  it('keeps a resent invitation alive past its first expiry, until the renewed one', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    team.clock.advance(6 * day);
    await team.resend({ actor: ada, invitationId: invitation.id });
    team.clock.advance(6 * day);
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items.map((i) => i.id)).to.deep.equal([invitation.id]);
    team.clock.advance(1 * day);
    await expectRejection(team.accept({ actor: gus, token: team.notifier.tokenFor(gus.email)! }), InvitationExpiredError);
  });

  it('answers an expired invitation with invitation_expired (invite again instead), and closed ones like missing ones', async function () {
    const team = await givenTeam(acme());
    const expired = await team.invite({ actor: ada, email: gus.email });
    team.clock.advance(7 * day);
    await expectRejection(team.resend({ actor: ada, invitationId: expired.id }), InvitationExpiredError);
    const revoked = await team.invite({ actor: ada, email: 'r@example.test' });
    await team.revoke({ actor: ada, invitationId: revoked.id });
    await expectRejection(team.resend({ actor: ada, invitationId: revoked.id }), InvitationNotFoundError);
    await expectRejection(team.resend({ actor: ada, invitationId: 'inv-9999' }), InvitationNotFoundError);
    expect(team.auditEvents('acme').map((e) => e.action)).to.deep.equal(['invitation.created', 'invitation.created', 'invitation.revoked']);
    expect(team.notifier.delivered).to.have.length(2);
  });

  it('answers another organisation’s invitation exactly like a missing one', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    const foreign = await team.invite({ actor: eve, email: gus.email });
    const a = await expectRejection(team.resend({ actor: ada, invitationId: foreign.id }), InvitationNotFoundError);
    const b = await expectRejection(team.resend({ actor: ada, invitationId: 'inv-9999' }), InvitationNotFoundError);
    expect(a.message).to.equal(b.message);
    expect(team.notifier.delivered).to.have.length(1);
  });

  it('lets only partner_admins of active, bootstrapped organisations with invitations enabled resend', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    await expectRejection(team.resend({ actor: cy, invitationId: invitation.id }), ForbiddenError);
    const invited = { id: 'inv-1', email: gus.email, tokenHash: 'h1' };
    for (const [organisation, refusal] of [
      [acme().suspended().withInvitation(invited), OrganisationNotActiveError],
      [acme().archived().withInvitation(invited), OrganisationNotActiveError],
      [acme().bootstrapPending().withInvitation(invited), PartnerBootstrapIncompleteError],
      [acme().invitationsDisabled().withInvitation(invited), InvitationsDisabledError],
    ] as [ReturnType<typeof acme>, abstract new (...args: never[]) => Error][]) {
      const blocked = await givenTeam(organisation);
      await expectRejection(blocked.resend({ actor: ada, invitationId: 'inv-1' }), refusal);
      expect(blocked.auditEvents('acme')).to.be.empty;
      expect(blocked.notifier.delivered).to.be.empty;
      expect(blocked.stateOf('acme').invitations.map((i) => i.tokenHash)).to.deep.equal(['h1']);
    }
    await expectRejection(team.resend({ actor: ada, invitationId: '../x' }), ValidationError);
  });

  it('keeps the resend when delivery fails, and logs the failure without the token', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.invite({ actor: ada, email: gus.email });
    team.notifier.failWith = new Error('smtp down');
    expect((await team.resend({ actor: ada, invitationId: invitation.id })).delivery).to.equal('failed');
    const token = team.tokens.issued[1]!;
    expect(team.stateOf('acme').invitations.map((i) => i.tokenHash)).to.deep.equal([team.tokens.hash(token)]);
    expect(team.logger.lines.filter((l) => l.level === 'error').map((l) => [l.message, l.fields.invitationId])).to.deep.equal([['invitation delivery failed', invitation.id]]);
    expect(JSON.stringify(team.logger.lines)).not.to.include(token);
  });
});
