import { anOrganisation } from '@partner-team/testing';
import { expect } from 'chai';
import type { Membership } from '../membership/membership.js';
import type { OrganisationRecord } from './organisation-record.js';
import { InvalidOrganisationStateError, PartnerOrganisation, type MutationContext } from './partner-organisation.js';

const context = (actorUserId: string): MutationContext => ({
  actorUserId,
  at: new Date('2026-01-15T09:00:00Z'),
  eventId: 'evt-1',
  requestId: null,
});

const joined = new Date('2025-06-01T08:00:00.000Z');
const member = (userId: string, role: Membership['role']): Membership => ({ userId, role, joinedAt: joined });
const profile = { id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true } as const;

/** A record of acme with two admins (ada, bob), loaded with the memberships of `members`. */
function record(members: Record<string, Membership | null>, overrides: Partial<OrganisationRecord> = {}): OrganisationRecord {
  return { profile, version: 3, adminCount: 2, members: new Map(Object.entries(members)), invitations: [], ...overrides };
}

describe('PartnerOrganisation', function () {
  describe('create', function () {
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
        'a pending invitation of a member who is not a partner_admin': anOrganisation('acme')
          .withAdmins('ada')
          .withUsers('bob')
          .withInvitation({ id: 'i1', email: 'x@example.test', tokenHash: 'h1', invitedBy: 'bob' })
          .build(),
        'a pending invitation of someone who left': anOrganisation('acme')
          .withAdmins('ada')
          .withInvitation({ id: 'i1', email: 'x@example.test', tokenHash: 'h1', invitedBy: 'gone' })
          .build(),
        'a reused token hash': anOrganisation('acme')
          .withAdmins('ada')
          .withInvitation({ id: 'i1', email: 'x@example.test', tokenHash: 'h1' })
          .withInvitation({ id: 'i2', email: 'y@example.test', tokenHash: 'h1' })
          .build(),
      };
      for (const [reason, state] of Object.entries(invalid)) {
        expect(() => PartnerOrganisation.create(state), reason).to.throw(InvalidOrganisationStateError);
      }
    });

    it('accepts an organisation without admins while bootstrap is pending', function () {
      const organisation = PartnerOrganisation.create(anOrganisation('acme').bootstrapPending().build());
      expect(organisation.adminCount()).to.equal(0);
    });

    it('hands out the whole state as the change that creates it', function () {
      const state = anOrganisation('acme').withAdmins('ada').withUsers('cy').withInvitation({ id: 'i1', email: 'x@example.test', tokenHash: 'h1' }).build();
      const change = PartnerOrganisation.create(state).pullChange();
      expect(change).to.deep.equal({
        organisationId: 'acme',
        profile: { id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true },
        upsertedMembers: state.memberships,
        removedMembers: [],
        upsertedInvitations: state.invitations,
        removedInvitations: [],
        events: [],
      });
    });
  });

  describe('fromRecord', function () {
    it('refuses records that break an invariant', function () {
      const invalid: Record<string, OrganisationRecord> = {
        'no admin in a bootstrapped organisation': record({}, { adminCount: 0 }),
        'a negative admin count': record({}, { adminCount: -1 }),
        'an unknown role': record({ ada: { userId: 'ada', role: 'owner' as never, joinedAt: joined } }),
        'a membership filed under another user': record({ ada: member('bob', 'partner_admin') }),
        'an unknown status': record({}, { profile: { ...profile, status: 'deleted' as never } }),
        'an empty name': record({}, { profile: { ...profile, name: ' ' } }),
      };
      for (const [reason, r] of Object.entries(invalid)) {
        expect(() => PartnerOrganisation.fromRecord(r), reason).to.throw(InvalidOrganisationStateError);
      }
    });

    it('copies its input and output', function () {
      const members: Record<string, Membership | null> = { ada: member('ada', 'partner_admin') };
      const input = record(members);
      const organisation = PartnerOrganisation.fromRecord(input);
      (input.members.get('ada') as { role: string }).role = 'partner_user';
      expect(organisation.membershipOf('ada')?.role).to.equal('partner_admin');
      organisation.membershipOf('ada')!.joinedAt.setTime(0);
      expect(organisation.membershipOf('ada')?.joinedAt.getTime()).to.equal(joined.getTime());
    });

    it('answers only about the users it was loaded with', function () {
      const organisation = PartnerOrganisation.fromRecord(record({ ada: member('ada', 'partner_admin'), zed: null }));
      expect(organisation.membershipOf('zed')).to.equal(undefined);
      expect(() => organisation.membershipOf('bob')).to.throw(/not loaded/);
      expect(() => organisation.removeMember(context('ada'), 'bob')).to.throw(/not loaded/);
      // The actor too: a use case that forgot to load them is a programming error, not "not a member".
      expect(() => organisation.authorizeRead('bob')).to.throw(/not loaded/);
      expect(() => organisation.removeMember(context('bob'), 'ada')).to.throw(/not loaded/);
    });
  });

  it('records events only for successful commands and hands each change out once', function () {
    const organisation = PartnerOrganisation.fromRecord(record({ ada: member('ada', 'partner_admin'), cy: member('cy', 'partner_user') }));
    expect(() => organisation.removeMember(context('ada'), 'ada')).to.throw();
    expect(organisation.pullChange()).to.equal(undefined);
    organisation.removeMember(context('ada'), 'cy');
    const change = organisation.pullChange();
    expect(change?.removedMembers).to.deep.equal(['cy']);
    expect(change?.upsertedMembers).to.deep.equal([]);
    expect(change?.profile).to.equal(null);
    expect(change?.events.map((e) => e.action)).to.deep.equal(['member.removed']);
    expect(organisation.pullChange()).to.equal(undefined);
  });

  it('keeps the admin count as members change, so the last-admin rule holds within one decision', function () {
    const organisation = PartnerOrganisation.fromRecord(record({ ada: member('ada', 'partner_admin'), bob: member('bob', 'partner_admin'), cy: member('cy', 'partner_user') }));
    organisation.changeMemberRole(context('ada'), 'bob', 'partner_user');
    expect(organisation.adminCount()).to.equal(1);
    organisation.changeMemberRole(context('ada'), 'cy', 'partner_admin');
    expect(organisation.adminCount()).to.equal(2);
    organisation.removeMember(context('ada'), 'cy');
    expect(organisation.adminCount()).to.equal(1);
  });

  it('prunes invitations closed more than 30 days ago when it next changes', function () {
    const state = anOrganisation('acme')
      .withAdmins('ada')
      .withUsers('cy')
      .withInvitation({ id: 'old', email: 'o@example.test', tokenHash: 'h-old', status: 'revoked', closedAt: new Date('2025-12-01T00:00:00Z') })
      .withInvitation({ id: 'recent', email: 'r@example.test', tokenHash: 'h-recent', status: 'revoked', closedAt: new Date('2026-01-01T00:00:00Z') })
      .build();
    const organisation = PartnerOrganisation.fromRecord(
      record({ ada: member('ada', 'partner_admin'), cy: member('cy', 'partner_user') }, { adminCount: 1, invitations: state.invitations }),
    );
    organisation.removeMember(context('ada'), 'cy');
    expect(organisation.invitation('old')).to.equal(undefined);
    expect(organisation.invitation('recent')?.status).to.equal('revoked');
    expect(organisation.pullChange()?.removedInvitations).to.deep.equal(['old']);
  });
});
