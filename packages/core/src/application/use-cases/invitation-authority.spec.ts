import { aUser, givenTeam, anOrganisation, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import { InvitationNotFoundError, TooManyPendingInvitationsError } from '../../domain/shared/errors.js';
import { maxPendingInvitations } from '../../domain/organisation/partner-organisation.js';

const { ada, bob, cy } = users;
const ivan = aUser('ivan').named('Ivan Invited').withEmail('ivan@outside.example').build();

/** acme with two admins and a user; bob has invited ivan as partner_admin. */
async function bobInvitedIvan() {
  const team = await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
  team.givenUsers(ivan);
  const invitation = await team.invite({ actor: bob, email: ivan.email, role: 'partner_admin' });
  const token = team.notifier.tokenFor(ivan.email)!;
  return { team, invitation, token };
}

const pendingIds = async (team: Awaited<ReturnType<typeof givenTeam>>) =>
  (await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items.map((i) => i.id);

describe('an invitation carries its inviter’s authority, and loses it for good', function () {
  it('demoting an admin revokes their pending invitations in the same change, named by its one audit event', async function () {
    const { team, invitation } = await bobInvitedIvan();

    await team.changeRole({ actor: ada, target: bob, role: 'partner_user' });

    const demotion = team.auditEvents('acme').at(-1)!;
    expect(demotion.action).to.equal('member.role_changed');
    expect(demotion.after).to.deep.equal({ role: 'partner_user', revokedInvitations: [invitation.id] });
    expect(team.auditEvents('acme').filter((e) => e.action === 'member.role_changed')).to.have.length(1);
    expect(team.stateOf('acme').invitations.find((i) => i.id === invitation.id)?.status).to.equal('revoked');
    expect(await pendingIds(team)).to.deep.equal([]);
  });

  it('never revives the invitation when the inviter becomes an admin again (the reported sequence)', async function () {
    const { team, invitation, token } = await bobInvitedIvan();
    await team.changeRole({ actor: ada, target: bob, role: 'partner_user' });
    await expectRejection(team.revoke({ actor: ada, invitationId: invitation.id }), InvitationNotFoundError);

    await team.changeRole({ actor: ada, target: bob, role: 'partner_admin' });

    expect(await pendingIds(team)).to.deep.equal([]);
    await expectRejection(team.accept({ actor: ivan, token }), InvitationNotFoundError);
    expect(await team.roleOf(ivan)).to.equal(undefined);
  });

  it('removing an admin revokes their pending invitations, and re-inviting the admin does not revive them', async function () {
    const { team, invitation, token } = await bobInvitedIvan();

    await team.remove({ actor: ada, target: bob });
    expect(team.auditEvents('acme').at(-1)?.after).to.deep.equal({ revokedInvitations: [invitation.id] });
    await team.invite({ actor: ada, email: bob.email, role: 'partner_admin' });
    await team.accept({ actor: bob, token: team.notifier.tokenFor(bob.email)! });
    expect(await team.roleOf(bob)).to.equal('partner_admin');

    expect(await pendingIds(team)).to.deep.equal([]);
    await expectRejection(team.accept({ actor: ivan, token }), InvitationNotFoundError);
  });

  it('keeps the pending cap through demotion and promotion: no dormant invitations come back over it', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
    for (let n = 0; n < 150; n += 1) await team.invite({ actor: bob, email: `bob${n}@example.test` });
    await team.changeRole({ actor: ada, target: bob, role: 'partner_user' });
    for (let n = 0; n < maxPendingInvitations; n += 1) await team.invite({ actor: ada, email: `ada${n}@example.test` });
    await expectRejection(team.invite({ actor: ada, email: 'one-more@example.test' }), TooManyPendingInvitationsError);

    await team.changeRole({ actor: ada, target: bob, role: 'partner_admin' });

    expect(await pendingIds(team)).to.have.length(maxPendingInvitations);
    await expectRejection(team.invite({ actor: bob, email: 'another@example.test' }), TooManyPendingInvitationsError);
  });
});
