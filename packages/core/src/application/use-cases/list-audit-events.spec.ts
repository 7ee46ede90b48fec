import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import { ForbiddenError, PartnerBootstrapIncompleteError, ValidationError } from '../../domain/shared/errors.js';

const { ada, bob, cy, dee, eve } = users;

describe('ListAuditEvents', function () {
  it('pages the organisation’s own events newest first', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy, dee), anOrganisation('globex').withAdmins(eve));
    await team.changeRole({ actor: ada, target: cy, role: 'partner_admin' });
    await team.remove({ actor: ada, target: dee });
    const invitation = await team.invite({ actor: bob, email: 'x@example.test' });
    await team.revoke({ actor: ada, invitationId: invitation.id });
    await team.invite({ actor: eve, email: 'y@example.test' });

    const first = await team.useCases.listAuditEvents.execute({ actorUserId: 'ada', limit: 3 });
    expect(first.items.map((e) => e.action)).to.deep.equal(['invitation.revoked', 'invitation.created', 'member.removed']);
    const second = await team.useCases.listAuditEvents.execute({ actorUserId: 'ada', limit: 3, cursor: first.nextCursor! });
    expect(second.items.map((e) => e.action)).to.deep.equal(['member.role_changed']);
    expect(second.nextCursor).to.equal(null);
    expect([...first.items, ...second.items].every((e) => e.organisationId === 'acme')).to.equal(true);
  });

  it('is for partner_admins of a bootstrapped organisation only', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).withUsers(cy));
    await expectRejection(team.useCases.listAuditEvents.execute({ actorUserId: 'cy' }), ForbiddenError);
    const pending = await givenTeam(anOrganisation('acme').withAdmins(ada).bootstrapPending());
    await expectRejection(pending.useCases.listAuditEvents.execute({ actorUserId: 'ada' }), PartnerBootstrapIncompleteError);
  });

  it('rejects a malformed limit or cursor', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada));
    for (const limit of [0, 101, 1.5]) await expectRejection(team.useCases.listAuditEvents.execute({ actorUserId: 'ada', limit }), ValidationError);
    for (const cursor of ['nope!', 'e30', 'eyJ2IjoxLCJwIjotMX0']) {
      await expectRejection(team.useCases.listAuditEvents.execute({ actorUserId: 'ada', cursor }), ValidationError);
    }
  });
});
