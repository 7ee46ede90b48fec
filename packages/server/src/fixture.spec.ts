import { expect } from 'chai';
import { demoFixturePath } from './config.js';
import { FixtureError, parseFixture, readFixture, type FixtureFile } from './fixture.js';
import { testFixture } from './test-support/test-fixture.js';

const copy = (): FixtureFile => structuredClone(testFixture);

function problems(mutate: (f: FixtureFile) => void): string {
  const f = copy();
  mutate(f);
  try {
    parseFixture(f, 'test.json');
  } catch (error: unknown) {
    expect(error).to.be.instanceOf(FixtureError);
    return (error as Error).message;
  }
  return expect.fail('the fixture was accepted');
}

describe('fixtures', function () {
  it('loads the shipped demo fixture', async function () {
    const fixture = await readFixture(demoFixturePath);
    expect(fixture.organisations.map((o) => o.id)).to.include.members(['northwind', 'contoso', 'fabrikam', 'tailspin', 'globex']);
  });

  it('names the bad entry: shape errors', function () {
    expect(problems((f) => ((f.memberships[3] as { role: string }).role = 'owner'))).to.match(/memberships\[3\]\.role/);
    expect(problems((f) => ((f.users[0] as unknown as Record<string, unknown>).password = 'x'))).to.match(/users\[0\]/);
    expect(problems((f) => (f.organisations[1]!.status = 'gone' as never))).to.match(/organisations\[1\]\.status/);
  });

  it('names the bad entry: references and rules', function () {
    expect(problems((f) => f.memberships.push({ organisationId: 'nowhere', userId: 'gus', role: 'partner_user' }))).to.match(/memberships\[15\]: unknown organisation "nowhere"/);
    expect(problems((f) => f.memberships.push({ organisationId: 'globex', userId: 'cy', role: 'partner_user' }))).to.match(/already belongs to "acme"/);
    expect(problems((f) => (f.memberships = f.memberships.filter((m) => m.userId !== 'eve')))).to.match(/organisations\[1\]: a bootstrapped organisation has no partner_admin/);
    expect(problems((f) => f.assignments.push({ organisationId: 'globex', userId: 'cy', clientId: 'c-north' }))).to.match(/assignments\[5\]: user "cy" is not a member of "globex"/);
    expect(problems((f) => f.assignments.push({ organisationId: 'acme', userId: 'cy', clientId: 'nope' }))).to.match(/unknown client "nope"/);
    expect(problems((f) => f.invitations!.push({ organisationId: 'acme', email: 'CY@acme.example', role: 'partner_user', invitedBy: 'ada' }))).to.match(/already a member/);
    expect(problems((f) => f.invitations!.push({ organisationId: 'acme', email: 'x@y.example', role: 'partner_user', invitedBy: 'cy' }))).to.match(/not a partner_admin/);
    expect(problems((f) => f.users.push({ ...f.users[0]!, id: 'ada2' }))).to.match(/already used by "ada"/);
  });

  it('refuses an address the one email rule refuses, and two spellings of one address', function () {
    expect(problems((f) => (f.users[0]!.email = 'ada@acme..example'))).to.match(/users\[0\]: "ada@acme\.\.example" is not a valid email address/);
    expect(problems((f) => (f.users[1]!.email = 'bob@[127.0.0.1]'))).to.match(/users\[1\]: .* is not a valid email address/);
    expect(problems((f) => f.invitations!.push({ organisationId: 'acme', email: '.x@y.example', role: 'partner_user', invitedBy: 'ada' }))).to.match(/invitations\[3\]: ".x@y.example" is not a valid email address/);
    expect(problems((f) => f.users.push({ ...f.users[0]!, id: 'ada2', email: f.users[0]!.email.toUpperCase().replace('A', '\uFF21') }))).to.match(/already used by "ada"/);
  });

  it('reports an unreadable or non-JSON file', async function () {
    try {
      await readFixture('/nonexistent/fixture.json');
      expect.fail('accepted');
    } catch (error: unknown) {
      expect(error).to.be.instanceOf(FixtureError);
      expect((error as Error).message).to.match(/cannot read the file/);
    }
  });
});
