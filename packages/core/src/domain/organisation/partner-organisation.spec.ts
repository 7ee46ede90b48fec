import { anOrganisation } from '@partner-team/testing';
import { expect } from 'chai';
import { InvalidOrganisationStateError, PartnerOrganisation, type MutationContext } from './partner-organisation.js';

const context = (actorUserId: string): MutationContext => ({
  actorUserId,
  at: new Date('2026-01-15T09:00:00Z'),
  eventId: 'evt-1',
  requestId: null,
});

describe('PartnerOrganisation', function () {
  describe('fromState', function () {
    it('refuses states that break an invariant', function () {
      const invalid = {
        'no admin in a bootstrapped organisation': anOrganisation('acme').withUsers('cy').build(),
        'a member twice': anOrganisation('acme').withAdmins('ada').withUsers('ada').build(),
        'an unknown role': { ...anOrganisation('acme').withAdmins('ada').build(), memberships: [{ userId: 'ada', role: 'owner' as never, joinedAt: new Date() }] },
        'an unknown status': { ...anOrganisation('acme').withAdmins('ada').build(), status: 'deleted' as never },
        'a malformed id': anOrganisation('acme corp').withAdmins('ada').build(),
        'two pending invitations for one email': anOrganisation('acme')
          .withAdmins('ada')
          .withInvitation({ id: 'i1', email: 'x@example.test', tokenHash: 'h1' })
          .withInvitation({ id: 'i2', email: 'x@example.test', tokenHash: 'h2' })
          .build(),
        'a reused token hash': anOrganisation('acme')
          .withAdmins('ada')
          .withInvitation({ id: 'i1', email: 'x@example.test', tokenHash: 'h1' })
          .withInvitation({ id: 'i2', email: 'y@example.test', tokenHash: 'h1' })
          .build(),
      };
      for (const [reason, state] of Object.entries(invalid)) {
        expect(() => PartnerOrganisation.fromState(state), reason).to.throw(InvalidOrganisationStateError);
      }
    });

    it('accepts an organisation without admins while bootstrap is pending', function () {
      const organisation = PartnerOrganisation.fromState(anOrganisation('acme').bootstrapPending().build());
      expect(organisation.memberCount()).to.equal(0);
    });

    it('copies its input and output', function () {
      const state = anOrganisation('acme').withAdmins('ada', 'bob').build();
      const organisation = PartnerOrganisation.fromState(state);
      (state.memberships as unknown as { role: string }[])[1]!.role = 'partner_user';
      expect(organisation.adminCount()).to.equal(2);
      const out = organisation.toState();
      (out.memberships as unknown as { role: string }[])[0]!.role = 'partner_user';
      expect(organisation.adminCount()).to.equal(2);
      out.memberships[0]!.joinedAt.setTime(0);
      expect(organisation.membershipOf('ada')?.joinedAt.getTime()).not.to.equal(0);
    });
  });

  it('records events only for successful commands and hands each out once', function () {
    const organisation = PartnerOrganisation.fromState(anOrganisation('acme').withAdmins('ada', 'bob').withUsers('cy').build());
    expect(() => organisation.removeMember(context('ada'), 'ada')).to.throw();
    expect(organisation.pullAuditEvents()).to.deep.equal([]);
    organisation.removeMember(context('ada'), 'cy');
    expect(organisation.pullAuditEvents().map((e) => e.action)).to.deep.equal(['member.removed']);
    expect(organisation.pullAuditEvents()).to.deep.equal([]);
  });

  it('prunes invitations closed more than 30 days ago when it next changes', function () {
    const organisation = PartnerOrganisation.fromState(
      anOrganisation('acme')
        .withAdmins('ada')
        .withUsers('cy')
        .withInvitation({ id: 'old', email: 'o@example.test', tokenHash: 'h-old', status: 'revoked', closedAt: new Date('2025-12-01T00:00:00Z') })
        .withInvitation({ id: 'recent', email: 'r@example.test', tokenHash: 'h-recent', status: 'revoked', closedAt: new Date('2026-01-01T00:00:00Z') })
        .build(),
    );
    organisation.removeMember(context('ada'), 'cy');
    expect(organisation.toState().invitations.map((i) => i.id)).to.deep.equal(['recent']);
  });
});
