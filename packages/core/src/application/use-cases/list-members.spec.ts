import { aUser, anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  ForbiddenError,
  NotAPartnerMemberError,
  PartnerBootstrapIncompleteError,
  ValidationError,
} from '../../domain/shared/errors.js';

const { ada, bob, cy, dee, eve, gus } = users;
const acme = () => anOrganisation('acme').withAdmins(ada, bob).withUsers(cy, dee);

describe('ListMembers', function () {
  it('shows an admin every member with MFA status and last activity, sorted by name', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    const list = await team.useCases.listMembers.execute({ actorUserId: 'ada' });
    expect(list.total).to.equal(4);
    expect(list.nextCursor).to.equal(null);
    expect(list.items).to.deep.equal([
      { userId: 'ada', name: 'Ada Lovelace', email: 'ada@acme.example', role: 'partner_admin', mfaEnabled: true, lastActiveAt: ada.lastActiveAt },
      { userId: 'bob', name: 'Bob Babbage', email: 'bob@acme.example', role: 'partner_admin', mfaEnabled: false, lastActiveAt: bob.lastActiveAt },
      { userId: 'cy', name: 'Cy Hopper', email: 'cy@acme.example', role: 'partner_user', mfaEnabled: true, lastActiveAt: null },
      { userId: 'dee', name: 'Dee Turing', email: 'dee@acme.example', role: 'partner_user', mfaEnabled: true, lastActiveAt: dee.lastActiveAt },
    ]);
  });

  it('shows a partner_user only name, email and role', async function () {
    const team = await givenTeam(acme());
    const list = await team.useCases.listMembers.execute({ actorUserId: 'cy' });
    expect(list.items.map((m) => Object.keys(m).sort())).to.deep.equal(Array(4).fill(['email', 'name', 'role', 'userId']));
  });

  it('keeps sorting by last activity to admins', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.useCases.listMembers.execute({ actorUserId: 'cy', sort: 'lastActiveAt' }), ForbiddenError);
    const list = await team.useCases.listMembers.execute({ actorUserId: 'ada', sort: 'lastActiveAt', order: 'desc' });
    expect(list.items.map((m) => m.userId)).to.deep.equal(['dee', 'bob', 'ada', 'cy']);
  });

  it('searches name and email case-insensitively', async function () {
    const team = await givenTeam(acme());
    const byName = await team.useCases.listMembers.execute({ actorUserId: 'ada', q: 'TURING' });
    expect(byName.items.map((m) => m.userId)).to.deep.equal(['dee']);
    expect(byName.total).to.equal(1);
    const byEmail = await team.useCases.listMembers.execute({ actorUserId: 'cy', q: 'BOB@ACME' });
    expect(byEmail.items.map((m) => m.userId)).to.deep.equal(['bob']);
  });

  it('pages with an opaque cursor, a stable tie-breaker and the total of the search', async function () {
    const team = await givenTeam();
    const people = Array.from({ length: 7 }, (_, n) => aUser(`p${n}`).named(n < 4 ? 'Sam Same' : `Zoe ${n}`).withEmail(`p${n}@z.example`).build());
    team.givenUsers(...people);
    await team.givenOrganisations(anOrganisation('zeta').withAdmins('p0').withUsers(...people.slice(1)));
    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await team.useCases.listMembers.execute({ actorUserId: 'p0', limit: 3, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.total).to.equal(7);
      seen.push(...page.items.map((m) => m.userId));
      if (page.nextCursor === null) break;
      cursor = page.nextCursor;
    }
    expect(seen).to.deep.equal(['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6']);
  });

  it('refuses a cursor from another query and a malformed cursor, page size or term', async function () {
    const team = await givenTeam(acme());
    const first = await team.useCases.listMembers.execute({ actorUserId: 'ada', limit: 1 });
    const list = team.useCases.listMembers;
    await expectRejection(list.execute({ actorUserId: 'ada', sort: 'email', cursor: first.nextCursor! }), ValidationError);
    await expectRejection(list.execute({ actorUserId: 'ada', q: 'a', cursor: first.nextCursor! }), ValidationError);
    for (const cursor of ['garbage!', 'eyJ2IjoxfQ', 'e30', 'x'.repeat(5000)]) {
      await expectRejection(list.execute({ actorUserId: 'ada', cursor }), ValidationError);
    }
    for (const limit of [0, 101, 2.5, Number.NaN]) await expectRejection(list.execute({ actorUserId: 'ada', limit }), ValidationError);
    await expectRejection(list.execute({ actorUserId: 'ada', q: 'x'.repeat(101) }), ValidationError);
    await expectRejection(list.execute({ actorUserId: 'ada', q: 'a\u0000' }), ValidationError);
    await expectRejection(list.execute({ actorUserId: 'ada', sort: 'password' }), ValidationError);
    await expectRejection(list.execute({ actorUserId: 'ada', order: 'sideways' }), ValidationError);
  });

  it('refuses users without membership and organisations whose bootstrap is pending', async function () {
    const team = await givenTeam(acme().bootstrapPending());
    await expectRejection(team.useCases.listMembers.execute({ actorUserId: 'ada' }), PartnerBootstrapIncompleteError);
    await expectRejection(team.useCases.listMembers.execute({ actorUserId: gus.id }), NotAPartnerMemberError);
  });

  it('still lists members of suspended and archived organisations', async function () {
    for (const organisation of [acme().suspended(), acme().archived()]) {
      const team = await givenTeam(organisation);
      expect((await team.useCases.listMembers.execute({ actorUserId: 'cy' })).total).to.equal(4);
    }
  });
});
