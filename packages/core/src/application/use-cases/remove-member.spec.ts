import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  ForbiddenError,
  LastAdminError,
  MemberNotFoundError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  SelfRemovalError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, dee, eve } = users;
const acme = () => anOrganisation('acme').withAdmins(ada, bob).withUsers(cy, dee);

describe('RemoveMember', function () {
  it('removes another member and records member.removed with the role they had', async function () {
    const team = await givenTeam(acme());
    await team.useCases.removeMember.execute({ actorUserId: 'ada', targetUserId: 'bob', requestId: 'req-1' });
    expect(await team.roleOf(bob)).to.equal(undefined);
    expect(team.auditEvents('acme')).to.have.length(1);
    expect(team.auditEvents('acme')[0]).to.include({ action: 'member.removed', actorUserId: 'ada', targetUserId: 'bob', requestId: 'req-1' });
    expect(team.auditEvents('acme')[0]?.before).to.deep.equal({ role: 'partner_admin' });
    expect(team.auditEvents('acme')[0]?.after).to.equal(null);
  });

  it('refuses self-removal', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.remove({ actor: ada, target: ada }), SelfRemovalError);
    await expectRejection(team.remove({ actor: cy, target: cy }), SelfRemovalError);
    expect(await team.roleOf(ada)).to.equal('partner_admin');
    expect(await team.roleOf(cy)).to.equal('partner_user');
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('refuses to remove the last partner_admin', async function () {
    const team = await givenTeam(anOrganisation('acme').withAdmins(ada).withUsers(cy));
    await expectRejection(team.remove({ actor: cy, target: ada }), LastAdminError);
    expect(await team.roleOf(ada)).to.equal('partner_admin');
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('lets only partner_admins remove members', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.remove({ actor: cy, target: dee }), ForbiddenError);
    expect(await team.roleOf(dee)).to.equal('partner_user');
  });

  it('refuses removals in suspended, archived and bootstrap-pending organisations', async function () {
    for (const organisation of [acme().suspended(), acme().archived()]) {
      const team = await givenTeam(organisation);
      await expectRejection(team.remove({ actor: ada, target: cy }), OrganisationNotActiveError);
      expect(await team.roleOf(cy)).to.equal('partner_user');
    }
    const pending = await givenTeam(acme().bootstrapPending());
    await expectRejection(pending.remove({ actor: ada, target: cy }), PartnerBootstrapIncompleteError);
  });

  it('answers another organisation’s member like a missing one and leaves them alone', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    await expectRejection(team.remove({ actor: ada, target: eve }), MemberNotFoundError);
    await expectRejection(team.remove({ actor: ada, target: 'ghost' }), MemberNotFoundError);
    expect(await team.roleOf(eve)).to.equal('partner_admin');
  });
});
