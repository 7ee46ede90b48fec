import { anOrganisation, givenTeam, users } from '@partner-team/testing';
import { expectRejection } from '@partner-team/testing/assertions';
import { expect } from 'chai';
import {
  AlreadyMemberError,
  ForbiddenError,
  InvitationEmailMismatchError,
  InvitationPendingError,
  InvitationsDisabledError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  TooManyPendingInvitationsError,
  ValidationError,
} from '../../domain/shared/errors.js';
import { maxClosedInvitationsKept, maxPendingInvitations } from '../../domain/organisation/partner-organisation.js';

const { ada, bob, cy, eve, gus } = users;
const acme = () => anOrganisation('acme').named('Acme').withAdmins(ada, bob).withUsers(cy);
const day = 24 * 60 * 60 * 1000;

describe('InviteUser', function () {
  it('creates a pending invitation expiring in 7 days, delivers the token and records invitation.created', async function () {
    const team = await givenTeam(acme());
    const invitation = await team.useCases.inviteUser.execute({ actorUserId: 'ada', email: '  New.Person@Example.TEST ', role: 'partner_admin', requestId: 'r1' });

    expect(invitation).to.deep.equal({
      id: 'inv-0001',
      email: 'new.person@example.test',
      role: 'partner_admin',
      invitedBy: 'ada',
      createdAt: team.clock.now(),
      expiresAt: new Date(team.clock.now().getTime() + 7 * day),
      delivery: 'sent',
    });
    expect(team.notifier.delivered).to.have.length(1);
    expect(team.notifier.delivered[0]).to.include({ organisationId: 'acme', organisationName: 'Acme', email: 'new.person@example.test', token: team.tokens.issued[0], invitedBy: 'ada', inviterName: 'Ada Lovelace' });
    expect(team.auditEvents('acme').map((e) => [e.action, e.actorUserId, e.invitationId, e.requestId])).to.deep.equal([
      ['invitation.created', 'ada', 'inv-0001', 'r1'],
    ]);
  });

  it('keeps only the hash of the token: the raw token is nowhere in the store or the audit log', async function () {
    const team = await givenTeam(acme());
    await team.invite({ actor: ada, email: 'new@example.test' });
    const token = team.tokens.issued[0]!;
    const stored = JSON.stringify(team.store.dump());
    expect(stored).not.to.include(token);
    expect(stored).to.include(team.tokens.hash(token));
    expect(JSON.stringify(team.logger.lines)).not.to.include(token);
  });

  it('allows one pending invitation per normalised email address', async function () {
    const team = await givenTeam(acme());
    await team.invite({ actor: ada, email: 'dup@example.test' });
    await expectRejection(team.invite({ actor: bob, email: ' DUP@Example.test' }), InvitationPendingError);
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items).to.have.length(1);
    expect(team.auditEvents('acme')).to.have.length(1);
  });

  it('treats look-alike spellings of an address (fullwidth forms, case, an internationalised domain) as one pending invitation', async function () {
    const team = await givenTeam(acme());
    await team.invite({ actor: ada, email: 'a@b.example' });
    await expectRejection(team.invite({ actor: bob, email: '\uFF41@\uFF42.example' }), InvitationPendingError);
    await expectRejection(team.invite({ actor: bob, email: '\uFF21\uFF20\uFF22.EXAMPLE' }), InvitationPendingError);
    await team.invite({ actor: ada, email: 'ann@bücher.example' });
    await expectRejection(team.invite({ actor: bob, email: 'ANN@xn--bcher-kva.example' }), InvitationPendingError);
    const pending = (await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items.map((i) => i.email);
    expect(pending.sort()).to.deep.equal(['a@b.example', 'ann@xn--bcher-kva.example']);
    expect(team.auditEvents('acme')).to.have.length(2);
  });

  it('stays fail-closed on accept: a directory account whose address only looks like the invited one is refused', async function () {
    const team = await givenTeam(acme());
    await team.invite({ actor: ada, email: 'sam@outside.example' });
    const token = team.notifier.tokenFor('sam@outside.example')!;
    const lookAlikes = ['\uFF53am@outside.example', 'sam@outside.example.', 'sam@OUTSIDE.example ', 's\u0430m@outside.example', 'sam\u200B@outside.example', 'SAM@outside.example', 'sam@xn--outside.example'];
    lookAlikes.forEach((email, n) => team.givenUsers({ id: `look${n}`, name: `Look ${n}`, email, mfaEnabled: false, lastActiveAt: null }));
    for (let n = 0; n < lookAlikes.length; n += 1) {
      await expectRejection(team.accept({ actor: `look${n}`, token }), InvitationEmailMismatchError);
    }
    expect(team.auditEvents('acme').map((e) => e.action)).to.deep.equal(['invitation.created']);
  });

  it('never lets an expired invitation block a new one, and marks the stale one expired', async function () {
    const team = await givenTeam(acme());
    await team.invite({ actor: ada, email: 'late@example.test' });
    team.clock.advance(7 * day);
    const again = await team.invite({ actor: ada, email: 'late@example.test' });
    const state = team.stateOf('acme');
    expect(state.invitations.map((i) => [i.id, i.status])).to.deep.equal([
      ['inv-0001', 'expired'],
      [again.id, 'pending'],
    ]);
  });

  it('caps the pending invitations of an organisation, and prunes what it keeps of closed ones', async function () {
    const team = await givenTeam(acme());
    for (let n = 0; n < maxPendingInvitations; n += 1) await team.invite({ actor: ada, email: `p${n}@example.test` });
    const error = await expectRejection(team.invite({ actor: ada, email: 'one-more@example.test' }), TooManyPendingInvitationsError);
    expect(error.limit).to.equal(maxPendingInvitations);
    const pending = (await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items;
    for (const i of pending.slice(0, 100)) await team.revoke({ actor: ada, invitationId: i.id });
    await team.invite({ actor: ada, email: 'one-more@example.test' });
    // Revoking and inviting again and again cannot grow the state without bound either.
    for (let n = 0; n < maxClosedInvitationsKept + 50; n += 1) {
      const invitation = await team.invite({ actor: ada, email: `churn${n}@example.test` });
      await team.revoke({ actor: ada, invitationId: invitation.id });
    }
    const state = team.stateOf('acme');
    // 100 + maxClosedInvitationsKept + 50 invitations were revoked: the newest maxClosedInvitationsKept are kept.
    expect(state.invitations.filter((i) => i.status !== 'pending').length).to.equal(maxClosedInvitationsKept);
  });

  it('records no target user for invitation.created, so the audit log never reveals who has an account', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    await team.invite({ actor: ada, email: eve.email });
    expect(team.auditEvents('acme')[0]?.targetUserId).to.equal(null);
    expect(team.auditEvents('acme')[0]?.after).to.deep.equal({ email: eve.email, role: 'partner_user', status: 'pending' });
  });

  it('refuses to invite a current member', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.invite({ actor: ada, email: 'CY@acme.example' }), AlreadyMemberError);
    expect(team.notifier.delivered).to.be.empty;
  });

  it('invites a member of another organisation without revealing that membership', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    const invitation = await team.invite({ actor: ada, email: eve.email });
    expect(invitation.email).to.equal(eve.email);
  });

  it('refuses while invitations are disabled for the organisation', async function () {
    const team = await givenTeam(acme().invitationsDisabled());
    await expectRejection(team.invite({ actor: ada, email: 'x@example.test' }), InvitationsDisabledError);
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('lets only partner_admins invite', async function () {
    const team = await givenTeam(acme());
    await expectRejection(team.invite({ actor: cy, email: 'x@example.test' }), ForbiddenError);
    expect(team.notifier.delivered).to.be.empty;
  });

  it('refuses in suspended, archived and bootstrap-pending organisations', async function () {
    for (const organisation of [acme().suspended(), acme().archived()]) {
      const team = await givenTeam(organisation);
      await expectRejection(team.invite({ actor: ada, email: 'x@example.test' }), OrganisationNotActiveError);
      expect(team.auditEvents('acme')).to.be.empty;
    }
    const pending = await givenTeam(acme().bootstrapPending());
    await expectRejection(pending.invite({ actor: ada, email: 'x@example.test' }), PartnerBootstrapIncompleteError);
  });

  it('rejects a malformed email address or role', async function () {
    const team = await givenTeam(acme());
    for (const email of ['', 'no-at-sign', 'a@b', `${'x'.repeat(250)}@example.test`, 'a\u0000b@example.test', 'two@@example.test', 'a@b..example', '.a@b.example', 'a@-b.example', 'a@[127.0.0.1]', 'a@b.example.']) {
      await expectRejection(team.invite({ actor: ada, email }), ValidationError);
    }
    await expectRejection(team.invite({ actor: ada, email: 'ok@example.test', role: 'owner' as never }), ValidationError);
    expect(team.auditEvents('acme')).to.be.empty;
  });

  it('keeps the invitation when delivery fails, and logs the failure without the token', async function () {
    const team = await givenTeam(acme());
    team.notifier.failWith = Object.assign(new Error('smtp down'), { code: 'ESOCKET' });
    const invitation = await team.invite({ actor: ada, email: 'x@example.test' });
    expect(invitation.delivery).to.equal('failed');
    expect(team.logger.lines.find((l) => l.level === 'error')?.fields).to.deep.equal({ invitationId: invitation.id, error: 'Error', code: 'ESOCKET' });
    expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items.map((i) => i.id)).to.deep.equal([invitation.id]);
    expect(team.logger.lines.filter((l) => l.level === 'error').map((l) => l.message)).to.deep.equal(['invitation delivery failed']);
    expect(JSON.stringify(team.logger.lines)).not.to.include(team.tokens.issued[0]!);
  });

  it('answers queued when the notifier only queues the message (an outbox, a log)', async function () {
    const team = await givenTeam(acme());
    team.notifier.outcome = 'queued';
    expect((await team.invite({ actor: ada, email: 'x@example.test' })).delivery).to.equal('queued');
  });

  it('uses the organisation of the actor, whatever else is stored', async function () {
    const team = await givenTeam(acme(), anOrganisation('globex').withAdmins(eve));
    await team.invite({ actor: eve, email: gus.email });
    expect(team.auditEvents('globex')).to.have.length(1);
    expect(team.auditEvents('acme')).to.be.empty;
  });
});
