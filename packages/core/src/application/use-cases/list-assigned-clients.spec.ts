import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  ForbiddenError,
  MemberNotFoundError,
  NotAPartnerMemberError,
  PartnerBootstrapIncompleteError,
  ValidationError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, eve } = users;

async function team(organisation = anOrganisation('acme').withAdmins(ada, bob).withUsers(cy)) {
  const t = await givenTeam(organisation, anOrganisation('globex').withAdmins(eve));
  for (const [clientId, name] of [['c1', 'Northwind'], ['c2', 'Contoso'], ['c3', 'Fabrikam']] as const) t.store.putClient({ clientId, name });
  t.store.assignClient('acme', 'cy', 'c1');
  t.store.assignClient('acme', 'cy', 'c2');
  t.store.assignClient('acme', 'bob', 'c3');
  // A stray assignment recorded under another organisation must never show in acme.
  t.store.assignClient('globex', 'cy', 'c3');
  t.store.assignClient('globex', 'eve', 'c1');
  return t;
}

describe('ListAssignedClients', function () {
  it('shows a partner_user their own clients, sorted by name, within their organisation only', async function () {
    const t = await team();
    const clients = await t.useCases.listAssignedClients.execute({ actorUserId: 'cy', targetUserId: 'cy' });
    expect(clients.items).to.deep.equal([
      { clientId: 'c2', name: 'Contoso' },
      { clientId: 'c1', name: 'Northwind' },
    ]);
  });

  it('refuses a partner_user another member’s clients', async function () {
    const t = await team();
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'cy', targetUserId: 'bob' }), ForbiddenError);
  });

  it('shows an admin any member of their organisation', async function () {
    const t = await team();
    expect((await t.useCases.listAssignedClients.execute({ actorUserId: 'ada', targetUserId: 'bob' })).items).to.deep.equal([
      { clientId: 'c3', name: 'Fabrikam' },
    ]);
  });

  it('answers an admin asking about another organisation’s member like a missing member', async function () {
    const t = await team();
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'ada', targetUserId: 'eve' }), MemberNotFoundError);
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'ada', targetUserId: 'nobody' }), MemberNotFoundError);
  });

  it('refuses while bootstrap is pending', async function () {
    const t = await team(anOrganisation('acme').withAdmins(ada).withUsers(cy).bootstrapPending());
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'cy', targetUserId: 'cy' }), PartnerBootstrapIncompleteError);
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'ada', targetUserId: 'cy' }), PartnerBootstrapIncompleteError);
  });

  it('checks the caller’s membership before judging the target', async function () {
    const t = await team();
    for (const targetUserId of ['cy', 'not a valid id!', 'nobody']) {
      await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'stranger', targetUserId }), NotAPartnerMemberError);
    }
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'ada', targetUserId: 'not a valid id!' }), ValidationError);
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'cy', targetUserId: 'not a valid id!' }), ValidationError);
  });

  it('forgets a removed member at once', async function () {
    const t = await team();
    await t.useCases.removeMember.execute({ actorUserId: 'ada', targetUserId: 'cy' });
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'ada', targetUserId: 'cy' }), MemberNotFoundError);
    await expectRejection(t.useCases.listAssignedClients.execute({ actorUserId: 'cy', targetUserId: 'cy' }), NotAPartnerMemberError);
  });
});
