import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  AlreadyMemberError,
  InvitationEmailMismatchError,
  InvitationExpiredError,
  InvitationNotFoundError,
  InvitationsDisabledError,
  MemberOfAnotherOrganisationError,
  OrganisationNotActiveError,
  ValidationError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, eve, gus } = users;
const acme = () => anOrganisation('acme').named('Acme').withAdmins(ada, bob).withUsers(cy);
const day = 24 * 60 * 60 * 1000;

async function invitedGus(organisation = acme()) {
  const team = await givenTeam(organisation, anOrganisation('globex').withAdmins(eve));
  const invitation = await team.invite({ actor: ada, email: 'Gus@Outside.example', role: 'partner_admin' });
  return { team, invitation, token: team.notifier.tokenFor(gus.email)! };
}

describe('AcceptInvitation', function () {
  it('admits the invitee with the invited role and records invitation.accepted', async function () {
    const { team, invitation, token } = await invitedGus();
    const result = await team.useCases.acceptInvitation.execute({ actorUserId: 'gus', token, requestId: 'req-a' });
    expect(result).to.deep.equal({ organisation: { id: 'acme', name: 'Acme' }, role: 'partner_admin' });
    expect(await team.roleOf(gus)).to.equal('partner_admin');
    expect(team.auditEvents('acme').at(-1)).to.include({
      action: 'invitation.accepted',
      actorUserId: 'gus',
      targetUserId: 'gus',
      invitationId: invitation.id,
      requestId: 'req-a',
    });
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items).to.be.empty;
  });

  it('needs the signed-in user’s email to equal the invitation’s', async function () {
    const { team, token } = await invitedGus();
    await expectRejection(team.accept({ actor: cy, token }), InvitationEmailMismatchError);
    await expectRejection(team.accept({ actor: 'unknown-user', token }), InvitationEmailMismatchError);
    expect(await team.roleOf(cy)).to.equal('partner_user');
    expect(await team.roleOf('unknown-user')).to.equal(undefined);
    expect(team.auditEvents('acme')).to.have.length(1);
  });

  it('is final once accepted: a second accept changes nothing', async function () {
    const { team, token } = await invitedGus();
    await team.accept({ actor: gus, token });
    await expectRejection(team.accept({ actor: gus, token }), AlreadyMemberError);
    expect(team.auditEvents('acme')).to.have.length(2);
  });

  it('decides expiry with the injected clock: valid until 7 days, expired from then on', async function () {
    const early = await invitedGus();
    early.team.clock.advance(7 * day - 1);
    await early.team.accept({ actor: gus, token: early.token });
    expect(await early.team.roleOf(gus)).to.equal('partner_admin');

    const late = await invitedGus();
    late.team.clock.advance(7 * day);
    await expectRejection(late.team.accept({ actor: gus, token: late.token }), InvitationExpiredError);
    expect(await late.team.roleOf(gus)).to.equal(undefined);
  });

  it('refuses an unknown or malformed token', async function () {
    const { team } = await invitedGus();
    await expectRejection(team.accept({ actor: gus, token: 'x'.repeat(43) }), InvitationNotFoundError);
    for (const token of ['', 'short', 'has spaces in it and is long enough', '{"$ne":null}', 'x'.repeat(300)]) {
      await expectRejection(team.accept({ actor: gus, token }), ValidationError);
    }
  });

  it('dies with its inviter’s authority: an invitation from an admin since demoted or removed is no longer valid', async function () {
    const team = await givenTeam(acme());
    await team.invite({ actor: bob, email: gus.email });
    const token = team.notifier.tokenFor(gus.email)!;
    await team.changeRole({ actor: ada, target: bob, role: 'partner_user' });
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items).to.deep.equal([]);
    await expectRejection(team.accept({ actor: gus, token }), InvitationNotFoundError);
    expect(await team.roleOf(gus)).to.equal(undefined);
    // It does not block a new invitation either.
    await team.invite({ actor: ada, email: gus.email });
    await team.accept({ actor: gus, token: team.notifier.tokenFor(gus.email)! });
    expect(await team.roleOf(gus)).to.equal('partner_user');
  });

  it('keeps a user to one partner organisation', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    await team.invite({ actor: ada, email: eve.email });
    await expectRejection(team.accept({ actor: eve, token: team.notifier.tokenFor(eve.email)! }), MemberOfAnotherOrganisationError);
    expect(await team.roleOf(eve)).to.equal('partner_admin');
    expect((await team.store.memberships.findByUser('eve'))?.organisation.id).to.equal('globex');
  });

  it('refuses while the organisation is not active or invitations were disabled since', async function () {
    const { team, token } = await invitedGus();
    await team.amend('acme', { profile: { status: 'suspended' } });
    await expectRejection(team.accept({ actor: gus, token }), OrganisationNotActiveError);

    const other = await invitedGus();
    await other.team.amend('acme', { profile: { invitationsEnabled: false } });
    await expectRejection(other.team.accept({ actor: gus, token: other.token }), InvitationsDisabledError);
    expect(await other.team.roleOf(gus)).to.equal(undefined);
  });
});
