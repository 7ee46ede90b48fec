import {
  ConcurrencyConflictError,
  EmailInUseError,
  MemberOfAnotherOrganisationError,
  type AuditEvent,
  type AuditLog,
  type ClientAssignments,
  type DirectoryUser,
  type MemberRoster,
  type Membership,
  type MembershipLookup,
  type OrganisationChange,
  type OrganisationRepository,
  type OrganisationState,
  type PartnerRole,
  type RosterEntry,
  type RosterQueryInput,
  type UserDirectory,
} from '@partner-team/core';
import { parseRosterQuery, referenceRosterPage, rosterPosition } from '@partner-team/core/roster';
import { expect } from 'chai';
import { expectRejection } from '../assertions.js';
import { anOrganisation } from '../builders/organisation-builder.js';
import { aUser } from '../builders/user-builder.js';
import { creationOf } from '../creation.js';

/** The ports a persistence adapter provides, over one isolated (empty) store. */
export interface PersistenceSubject {
  readonly organisations: OrganisationRepository;
  readonly memberships: MembershipLookup;
  readonly auditLog: AuditLog;
  readonly roster: MemberRoster;
  readonly users: UserDirectory;
  readonly clients: ClientAssignments;
  /** Adds or replaces users in the directory the roster reads (seeding, without the port's checks). */
  putUsers(users: readonly DirectoryUser[]): Promise<void>;
  /** Releases the store (drop the database, close connections). */
  dispose?(): Promise<void>;
}

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 15, 9, minute));
const joined = new Date('2025-06-01T08:00:00.000Z');

function event(organisationId: string, n: number, actorUserId = 'ada'): AuditEvent {
  return {
    id: `evt-${organisationId}-${n}`,
    organisationId,
    action: 'member.role_changed',
    actorKind: 'partner_member',
    actorUserId,
    reason: null,
    targetUserId: 'bob',
    invitationId: null,
    before: { role: 'partner_admin' },
    after: { role: 'partner_user' },
    at: at(n),
    requestId: `req-${n}`,
  };
}

/** A change of the members of one organisation, with one audit event. */
function change(organisationId: string, n: number, members: { set?: Membership[]; removed?: string[] }, actor = 'ada'): OrganisationChange {
  return {
    organisationId,
    profile: null,
    upsertedMembers: members.set ?? [],
    removedMembers: members.removed ?? [],
    upsertedInvitations: [],
    removedInvitations: [],
    events: [event(organisationId, n, actor)],
  };
}

const member = (userId: string, role: PartnerRole): Membership => ({ userId, role, joinedAt: joined });

const rosterUsers: DirectoryUser[] = [
  aUser('u01').named('Ángel Zamora').withEmail('angel@acme.example').lastActive('2026-01-02T00:00:00Z').build(),
  aUser('u02').named('anna smith').withEmail('anna.smith@acme.example').lastActive(null).build(),
  aUser('u03').named('Anna Smith').withEmail('a.smith@acme.example').withoutMfa().lastActive('2026-01-02T00:00:00Z').build(),
  aUser('u04').named('Bruno Díaz').withEmail('bruno@acme.example').lastActive('2026-01-05T00:00:00Z').build(),
  aUser('u05').named('Chloé Martin').withEmail('chloe@acme.example').lastActive(null).build(),
  aUser('u06').named('Dmitri Ivanov').withEmail('dmitri@acme.example').lastActive('2025-12-31T23:59:59Z').build(),
  aUser('u07').named('Émile Zola').withEmail('emile@acme.example').lastActive('2026-01-04T00:00:00Z').build(),
  aUser('u08').named('Fatima Khan').withEmail('fatima@smithson.example').build(),
  aUser('u09').named('😀 Emoji Person').withEmail('emoji@acme.example').build(),
  aUser('u10').named('\uFF21 Fullwidth').withEmail('full@acme.example').build(),
  aUser('u11').named('Zed Last').withEmail('zed@acme.example').lastActive(null).build(),
  aUser('u12').named('anna smith').withEmail('anna2@acme.example').build(),
];

/**
 * The persistence contract every adapter must pass: optimistic concurrency, atomic change + audit
 * events, copies not references, the organisation of a member with exactly the memberships asked
 * about and the exact admin count, membership lookup, cross-organisation membership uniqueness,
 * invitation token lookup, and roster pages identical to the reference semantics. Every question
 * has exactly one right answer, and each is asserted.
 */
export function persistenceContract(adapterName: string, createSubject: () => Promise<PersistenceSubject>): void {
  describe(`persistence contract: ${adapterName}`, function () {
    let subject: PersistenceSubject;
    let created: PersistenceSubject | undefined;

    beforeEach(async function () {
      created = undefined;
      subject = await createSubject();
      created = subject;
      await subject.putUsers([
        aUser('ada').withEmail('ada@acme.example').build(),
        aUser('bob').withEmail('bob@acme.example').build(),
        aUser('cy').withEmail('cy@acme.example').build(),
        ...rosterUsers,
      ]);
    });

    afterEach(async function () {
      await created?.dispose?.();
    });

    const acme = (): OrganisationState => anOrganisation('acme').named('Acme').withAdmins('ada', 'bob').withUsers('cy').build();
    const acmeProfile = { id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true } as const;
    const create = (state: OrganisationState) => subject.organisations.save(creationOf(state), 0);
    const auditIds = async (organisationId: string) =>
      (await subject.auditLog.page(organisationId, { limit: 100, beforePosition: null })).items.map((i) => i.event.id);

    it('loads nothing for an unknown organisation or a user without one', async function () {
      expect(await subject.organisations.load('nowhere', ['ada'])).to.equal(undefined);
      expect(await subject.organisations.loadForMember('ada')).to.equal(undefined);
      expect(await subject.memberships.findByUser('ada')).to.equal(undefined);
    });

    it('creates an organisation at version 1 and loads exactly the memberships asked about', async function () {
      await create(acme());
      const loaded = await subject.organisations.load('acme', ['bob', 'cy', 'nobody']);
      expect(loaded?.profile).to.deep.equal(acmeProfile);
      expect(loaded?.version).to.equal(1);
      expect(loaded?.adminCount).to.equal(2);
      expect(loaded?.members).to.deep.equal(
        new Map([
          ['bob', member('bob', 'partner_admin')],
          ['cy', member('cy', 'partner_user')],
          ['nobody', null],
        ]),
      );
      expect(loaded?.invitations).to.deep.equal([]);
      expect((await subject.organisations.load('acme'))?.members).to.deep.equal(new Map());
    });

    it('loads the organisation of a member with their membership and their teammates’', async function () {
      await create(acme());
      await create(anOrganisation('globex').withAdmins('u01').build());
      const loaded = await subject.organisations.loadForMember('cy', ['ada', 'u01']);
      expect(loaded?.profile).to.deep.equal(acmeProfile);
      expect(loaded?.version).to.equal(1);
      expect(loaded?.adminCount).to.equal(2);
      expect(loaded?.members).to.deep.equal(
        new Map([
          ['cy', member('cy', 'partner_user')],
          ['ada', member('ada', 'partner_admin')],
          ['u01', null],
        ]),
      );
      expect(await subject.memberships.findByUser('cy')).to.deep.equal({ organisation: acmeProfile, membership: member('cy', 'partner_user') });
    });

    it('never shares objects with its callers', async function () {
      const state = acme();
      const creation = creationOf(state);
      await subject.organisations.save(creation, 0);
      (creation.upsertedMembers as unknown as { role: string }[])[0]!.role = 'partner_user';
      const first = await subject.organisations.load('acme', ['ada', 'bob']);
      (first!.members.get('bob') as { role: string }).role = 'partner_user';
      (first!.profile as { name: string }).name = 'Changed';
      first!.members.get('ada')!.joinedAt.setTime(0);
      const second = await subject.organisations.load('acme', ['ada', 'bob']);
      expect(second?.profile.name).to.equal('Acme');
      expect(second?.members.get('ada')).to.deep.equal(member('ada', 'partner_admin'));
      expect(second?.members.get('bob')).to.deep.equal(member('bob', 'partner_admin'));
    });

    it('refuses a stale version and stores nothing', async function () {
      await create(acme());
      await subject.organisations.save(change('acme', 1, { set: [member('bob', 'partner_user')] }), 1);
      await expectRejection(subject.organisations.save(change('acme', 2, { set: [member('cy', 'partner_admin')] }), 1), ConcurrencyConflictError);
      const loaded = await subject.organisations.load('acme', ['bob', 'cy']);
      expect(loaded?.version).to.equal(2);
      expect(loaded?.adminCount).to.equal(1);
      expect(loaded?.members.get('bob')?.role).to.equal('partner_user');
      expect(loaded?.members.get('cy')?.role).to.equal('partner_user');
      expect(await auditIds('acme')).to.deep.equal(['evt-acme-1']);
    });

    it('refuses to create an organisation that exists', async function () {
      await create(acme());
      await expectRejection(subject.organisations.save({ ...creationOf(acme()), events: [event('acme', 1)] }, 0), ConcurrencyConflictError);
      expect(await auditIds('acme')).to.deep.equal([]);
      expect((await subject.organisations.load('acme'))?.version).to.equal(1);
    });

    it('lets exactly one of many concurrent writers at one version win, with its audit event', async function () {
      await create(acme());
      const candidates = ['ada', 'bob', 'cy', 'u01', 'u02', 'u03', 'u04', 'u05'].map((name, n) => ({
        change: { ...change('acme', n + 1, {}), profile: { ...acmeProfile, name: `Acme ${name}` } },
      }));
      const outcomes = await Promise.allSettled(candidates.map((c) => subject.organisations.save(c.change, 1)));
      const won = outcomes.flatMap((o, n) => (o.status === 'fulfilled' ? [n] : []));
      expect(won).to.have.length(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(ConcurrencyConflictError);
      const winner = candidates[won[0]!]!;
      const loaded = await subject.organisations.load('acme');
      expect(loaded?.version).to.equal(2);
      expect(loaded?.profile.name).to.equal(winner.change.profile.name);
      const audit = await subject.auditLog.page('acme', { limit: 100, beforePosition: null });
      expect(audit.items.map((i) => i.event)).to.deep.equal(winner.change.events);
    });

    it('pages audit events newest first and keeps each organisation to its own log', async function () {
      await create(acme());
      await create(anOrganisation('globex').withAdmins('u01').build());
      for (let n = 1; n <= 5; n += 1) await subject.organisations.save({ ...change('acme', n, {}), profile: { ...acmeProfile, name: `Acme ${n}` } }, n);
      await subject.organisations.save(change('globex', 9, {}, 'u01'), 1);
      const first = await subject.auditLog.page('acme', { limit: 2, beforePosition: null });
      expect(first.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-5', 'evt-acme-4']);
      expect(first.hasMore).to.equal(true);
      const second = await subject.auditLog.page('acme', { limit: 2, beforePosition: first.items[1]!.position });
      expect(second.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-3', 'evt-acme-2']);
      expect(second.hasMore).to.equal(true);
      const rest = await subject.auditLog.page('acme', { limit: 2, beforePosition: second.items[1]!.position });
      expect(rest.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-1']);
      expect(rest.hasMore).to.equal(false);
      expect(rest.items[0]!.event).to.deep.equal(event('acme', 1));
      expect(await auditIds('globex')).to.deep.equal(['evt-globex-9']);
    });

    it('follows joins, role changes and removals, with the exact admin count', async function () {
      await create(acme());
      await subject.organisations.save(change('acme', 1, { set: [member('cy', 'partner_admin'), member('u01', 'partner_user')] }), 1);
      expect(await subject.memberships.findByUser('cy')).to.deep.equal({ organisation: acmeProfile, membership: member('cy', 'partner_admin') });
      expect((await subject.memberships.findByUser('u01'))?.membership).to.deep.equal(member('u01', 'partner_user'));
      expect((await subject.organisations.loadForMember('ada'))?.adminCount).to.equal(3);
      await subject.organisations.save(change('acme', 2, { removed: ['bob'], set: [member('ada', 'partner_user')] }), 2);
      expect(await subject.memberships.findByUser('bob')).to.equal(undefined);
      expect(await subject.organisations.loadForMember('bob')).to.equal(undefined);
      const loaded = await subject.organisations.loadForMember('cy', ['bob', 'ada']);
      expect(loaded?.version).to.equal(3);
      expect(loaded?.adminCount).to.equal(1);
      expect(loaded?.members).to.deep.equal(
        new Map([
          ['cy', member('cy', 'partner_admin')],
          ['bob', null],
          ['ada', member('ada', 'partner_user')],
        ]),
      );
      expect(await subject.memberships.findByUser('u02')).to.equal(undefined);
    });

    it('refuses a member who belongs to another organisation, until they leave it', async function () {
      await create(acme());
      await create(anOrganisation('globex').withAdmins('u01').build());
      await expectRejection(subject.organisations.save(change('globex', 1, { set: [member('cy', 'partner_user')] }, 'u01'), 1), MemberOfAnotherOrganisationError);
      expect((await subject.organisations.load('globex', ['cy']))?.members.get('cy')).to.equal(null);
      expect((await subject.organisations.load('globex'))?.version).to.equal(1);
      expect((await subject.memberships.findByUser('cy'))?.organisation.id).to.equal('acme');
      expect(await auditIds('globex')).to.deep.equal([]);
      await expectRejection(create(anOrganisation('initech').withAdmins('cy').build()), MemberOfAnotherOrganisationError);
      expect(await subject.organisations.load('initech')).to.equal(undefined);
      await subject.organisations.save(change('acme', 1, { removed: ['cy'] }), 1);
      await subject.organisations.save(change('globex', 2, { set: [member('cy', 'partner_user')] }, 'u01'), 1);
      expect((await subject.memberships.findByUser('cy'))?.organisation.id).to.equal('globex');
      expect((await subject.organisations.loadForMember('cy'))?.profile.id).to.equal('globex');
    });

    it('keeps invitations as changed, and finds an organisation by the token hash of an invitation it keeps', async function () {
      const state = anOrganisation('acme')
        .withAdmins('ada')
        .withInvitation({ id: 'inv-1', email: 'new@acme.example', tokenHash: 'hash-one' })
        .withInvitation({ id: 'inv-2', email: 'old@acme.example', tokenHash: 'hash-two', status: 'revoked', closedAt: at(1) })
        .build();
      await create(state);
      expect((await subject.organisations.load('acme'))?.invitations).to.deep.equal(state.invitations);
      const revoked = { ...state.invitations[0]!, status: 'revoked' as const, closedAt: at(2) };
      const created = { ...state.invitations[0]!, id: 'inv-3', email: 'third@acme.example', tokenHash: 'hash-three' };
      await subject.organisations.save({ ...change('acme', 1, {}), upsertedInvitations: [revoked, created], removedInvitations: ['inv-2'] }, 1);
      const invitations = (await subject.organisations.load('acme'))?.invitations ?? [];
      expect([...invitations].sort((a, b) => a.id.localeCompare(b.id))).to.deep.equal([revoked, created]);
      expect(await subject.organisations.findByInvitationTokenHash('hash-one')).to.equal('acme');
      expect(await subject.organisations.findByInvitationTokenHash('hash-three')).to.equal('acme');
      // Pruned: its token finds nothing (the store does not keep lookups of what it forgot).
      expect(await subject.organisations.findByInvitationTokenHash('hash-two')).to.equal(undefined);
      expect(await subject.organisations.findByInvitationTokenHash('hash-four')).to.equal(undefined);
      // A new token for a kept invitation (a resend) replaces the old one's lookup.
      const resent = { ...created, tokenHash: 'hash-three-again' };
      await subject.organisations.save({ ...change('acme', 2, {}), upsertedInvitations: [resent] }, 2);
      expect(await subject.organisations.findByInvitationTokenHash('hash-three-again')).to.equal('acme');
      expect(await subject.organisations.findByInvitationTokenHash('hash-three')).to.equal(undefined);
    });

    it('keeps and forgets the token lookups of 150 invitations made and removed in one change each', async function () {
      // One change may carry many invitations (a support import); FerretDB never answers one
      // command that matches 100 or more stored documents, so a store must split what it writes.
      const state = anOrganisation('acme').withAdmins('ada').build();
      await create(state);
      const many = Array.from({ length: 150 }, (_, i) => ({
        id: `bulk-${i}`,
        email: `bulk${i}@acme.example`,
        role: 'partner_user' as const,
        tokenHash: `bulk-hash-${i}`,
        invitedBy: 'ada',
        createdAt: at(1),
        expiresAt: at(50),
        status: 'pending' as const,
        closedAt: null,
        acceptedBy: null,
      }));
      await subject.organisations.save({ ...change('acme', 1, {}), upsertedInvitations: many }, 1);
      for (const i of [0, 41, 99, 100, 149]) expect(await subject.organisations.findByInvitationTokenHash(`bulk-hash-${i}`)).to.equal('acme');
      await subject.organisations.save({ ...change('acme', 2, {}), removedInvitations: many.map((x) => x.id) }, 2);
      expect((await subject.organisations.load('acme'))?.invitations).to.deep.equal([]);
      for (const i of [0, 41, 99, 100, 149]) expect(await subject.organisations.findByInvitationTokenHash(`bulk-hash-${i}`)).to.equal(undefined);
    });

    it('stores a new token hash for an invitation it keeps (a resend): the invitation carries only the new one, and only the new hash names the organisation', async function () {
      const state = anOrganisation('acme').withAdmins('ada').withInvitation({ id: 'inv-1', email: 'new@acme.example', tokenHash: 'hash-first' }).build();
      await create(state);
      const resent = { ...state.invitations[0]!, tokenHash: 'hash-second', expiresAt: at(40) };
      await subject.organisations.save({ ...change('acme', 1, {}), upsertedInvitations: [resent] }, 1);
      expect((await subject.organisations.load('acme'))?.invitations).to.deep.equal([resent]);
      expect(await subject.organisations.findByInvitationTokenHash('hash-second')).to.equal('acme');
      // The old hash names nothing: a resent invitation's earlier link stops working.
      expect(await subject.organisations.findByInvitationTokenHash('hash-first')).to.equal(undefined);
    });

    describe('client assignments', function () {
      const assignment = (userId: string, clientId: string, name: string) => ({ userId, clientId, name });
      const withAssignments = (organisationId: string, n: number, added: ReturnType<typeof assignment>[], removed: { userId: string; clientId: string }[] = []): OrganisationChange => ({
        ...change(organisationId, n, {}),
        addedAssignments: added,
        removedAssignments: removed,
      });

      it('applies assignment changes with the organisation’s version and answers them per member, per organisation and in records', async function () {
        await create(acme());
        await create(anOrganisation('globex').withAdmins('u01').build());
        await subject.organisations.save(
          withAssignments('acme', 1, [assignment('cy', 'c2', 'Contoso'), assignment('cy', 'c1', 'Northwind'), assignment('bob', 'c3', 'Fabrikam'), assignment('u01', 'c9', 'Planted')]),
          1,
        );
        await subject.organisations.save(withAssignments('globex', 2, [assignment('u01', 'c1', 'Northwind Globex')], []), 1);
        expect(await subject.clients.assignedTo('acme', 'cy')).to.deep.equal([
          { clientId: 'c2', name: 'Contoso' },
          { clientId: 'c1', name: 'Northwind' },
        ]);
        expect(await subject.clients.assignedTo('globex', 'cy')).to.deep.equal([]);
        expect(await subject.clients.assignedTo('globex', 'u01')).to.deep.equal([{ clientId: 'c1', name: 'Northwind Globex' }]);
        expect(await subject.clients.listForOrganisation('acme')).to.deep.equal([
          assignment('bob', 'c3', 'Fabrikam'),
          assignment('cy', 'c1', 'Northwind'),
          assignment('cy', 'c2', 'Contoso'),
          assignment('u01', 'c9', 'Planted'),
        ]);
        const loaded = await subject.organisations.load('acme', ['cy', 'u01', 'ada']);
        expect(loaded?.version).to.equal(2);
        expect(loaded?.members.get('u01')).to.equal(null);
        const sortedClients = (userId: string) => [...(loaded?.assignments?.get(userId) ?? [])].sort((a, b) => a.clientId.localeCompare(b.clientId));
        expect(sortedClients('cy')).to.deep.equal([{ clientId: 'c1', name: 'Northwind' }, { clientId: 'c2', name: 'Contoso' }]);
        expect(sortedClients('u01')).to.deep.equal([{ clientId: 'c9', name: 'Planted' }]);
        expect(sortedClients('ada')).to.deep.equal([]);
        // Renamed (same member and client) and removed, in one change.
        await subject.organisations.save(withAssignments('acme', 3, [assignment('cy', 'c1', 'Northwind Traders')], [{ userId: 'cy', clientId: 'c2' }]), 2);
        expect(await subject.clients.assignedTo('acme', 'cy')).to.deep.equal([{ clientId: 'c1', name: 'Northwind Traders' }]);
      });

      it('drops a removed member’s assignments in the same change, and a stale change stores none of its assignments', async function () {
        await create(acme());
        await subject.organisations.save(withAssignments('acme', 1, [assignment('cy', 'c1', 'Northwind'), assignment('bob', 'c3', 'Fabrikam')]), 1);
        await expectRejection(subject.organisations.save(withAssignments('acme', 2, [assignment('cy', 'c4', 'Stale')]), 1), ConcurrencyConflictError);
        expect(await subject.clients.assignedTo('acme', 'cy')).to.deep.equal([{ clientId: 'c1', name: 'Northwind' }]);
        await subject.organisations.save(change('acme', 3, { removed: ['cy'] }), 2);
        expect(await subject.clients.assignedTo('acme', 'cy')).to.deep.equal([]);
        expect(await subject.clients.listForOrganisation('acme')).to.deep.equal([assignment('bob', 'c3', 'Fabrikam')]);
        // Back as a member, they start with no clients.
        await subject.organisations.save(change('acme', 4, { set: [member('cy', 'partner_user')] }), 3);
        expect(await subject.clients.assignedTo('acme', 'cy')).to.deep.equal([]);
        expect((await subject.organisations.load('acme', ['cy']))?.assignments?.get('cy')).to.deep.equal([]);
      });
    });

    describe('the one audit log', function () {
      const unscoped = (n: number, extra: Partial<AuditEvent> = {}): AuditEvent => ({
        ...event('acme', n, 'op-jane'),
        id: `evt-unscoped-${n}`,
        organisationId: null,
        action: 'users.upserted',
        actorKind: 'support_operator',
        reason: 'directory sync',
        targetUserId: null,
        before: null,
        after: { users: ['u01'] },
        ...extra,
      });

      it('records events that belong to no organisation, which no organisation’s page shows, and refuses an organisation’s event there', async function () {
        await create(acme());
        await subject.auditLog.record(unscoped(1));
        await subject.organisations.save(change('acme', 2, { set: [member('cy', 'partner_admin')] }), 1);
        expect(await auditIds('acme')).to.deep.equal(['evt-acme-2']);
        let refused: unknown;
        try {
          await subject.auditLog.record(event('acme', 3));
        } catch (error: unknown) {
          refused = error;
        }
        expect(refused).to.be.instanceOf(RangeError);
        const all = await subject.auditLog.search({ limit: 10, after: null });
        expect(all.items.map((i) => i.event)).to.deep.equal([event('acme', 2), unscoped(1)]);
      });

      it('searches both surfaces’ events across organisations, newest first, by every filter, page by page', async function () {
        await create(acme());
        await create(anOrganisation('globex').withAdmins('u01').build());
        const support = (organisationId: string, n: number): Partial<AuditEvent> => ({
          id: `evt-${organisationId}-${n}`,
          organisationId,
          action: 'member.admin_granted',
          actorKind: 'support_operator',
          actorUserId: 'op-jane',
          reason: 'last admin left',
          targetUserId: 'cy',
        });
        const stored: AuditEvent[] = [];
        const save = async (organisationId: string, version: number, e: AuditEvent) => {
          await subject.organisations.save({ ...change(organisationId, 0, {}), events: [e] }, version);
          stored.push(e);
        };
        await save('acme', 1, event('acme', 1));
        await save('globex', 1, event('globex', 2, 'u01'));
        await subject.auditLog.record(unscoped(3));
        stored.push(unscoped(3));
        await save('acme', 2, { ...event('acme', 4), ...support('acme', 4) });
        await save('globex', 2, { ...event('globex', 5), ...support('globex', 5) });
        await subject.auditLog.record(unscoped(6, { actorUserId: 'op-max', targetUserId: 'u02' }));
        stored.push(unscoped(6, { actorUserId: 'op-max', targetUserId: 'u02' }));
        const newestFirst = [...stored].reverse();

        async function walk(query: Omit<Parameters<AuditLog['search']>[0], 'limit' | 'after'>, limit: number): Promise<string[]> {
          const ids: string[] = [];
          let after: Parameters<AuditLog['search']>[0]['after'] = null;
          for (let pages = 0; pages < 20; pages += 1) {
            const page = await subject.auditLog.search({ ...query, limit, after });
            ids.push(...page.items.map((i) => i.event.id));
            expect(page.items.length).to.be.at.most(limit);
            if (!page.hasMore) return ids;
            after = page.items.at(-1)!.position;
          }
          return expect.fail('pagination did not end');
        }
        const expected = (keep: (e: AuditEvent) => boolean) => newestFirst.filter(keep).map((e) => e.id);
        const all = await subject.auditLog.search({ limit: 100, after: null });
        expect(all.items.map((i) => i.event)).to.deep.equal(newestFirst);
        expect(all.hasMore).to.equal(false);
        for (const limit of [1, 2, 4]) expect(await walk({}, limit), `limit ${limit}`).to.deep.equal(expected(() => true));
        expect(await walk({ organisationId: 'acme' }, 1)).to.deep.equal(expected((e) => e.organisationId === 'acme'));
        expect(await walk({ organisationId: null }, 1)).to.deep.equal(expected((e) => e.organisationId === null));
        expect(await walk({ actorUserId: 'op-jane' }, 2)).to.deep.equal(expected((e) => e.actorUserId === 'op-jane'));
        expect(await walk({ targetUserId: 'cy' }, 1)).to.deep.equal(expected((e) => e.targetUserId === 'cy'));
        expect(await walk({ action: 'member.admin_granted', organisationId: 'globex' }, 1)).to.deep.equal(['evt-globex-5']);
        expect(await walk({ from: at(2), to: at(5) }, 1)).to.deep.equal(expected((e) => e.at >= at(2) && e.at < at(5)));
        expect(await walk({ actorUserId: 'nobody' }, 3)).to.deep.equal([]);
      });
    });

    describe('directory', function () {
      const profile = (id: string, email: string, extra: { name?: string; mfaEnabled?: boolean; lastActiveAt?: Date | null } = {}) => ({
        id,
        name: extra.name ?? id.toUpperCase(),
        email,
        mfaEnabled: extra.mfaEnabled ?? false,
        ...(extra.lastActiveAt === undefined ? {} : { lastActiveAt: extra.lastActiveAt }),
      });

      it('adds and replaces users, keeping the last activity unless the update carries one', async function () {
        await subject.users.upsert([profile('new1', 'new1@acme.example', { lastActiveAt: at(5) }), profile('new2', 'new2@acme.example')]);
        expect(await subject.users.findById('new1')).to.deep.equal({ id: 'new1', name: 'NEW1', email: 'new1@acme.example', mfaEnabled: false, lastActiveAt: at(5) });
        expect(await subject.users.findById('new2')).to.deep.equal({ id: 'new2', name: 'NEW2', email: 'new2@acme.example', mfaEnabled: false, lastActiveAt: null });
        await subject.users.upsert([profile('new1', 'renamed@acme.example', { name: 'Renamed', mfaEnabled: true })]);
        expect(await subject.users.findById('new1')).to.deep.equal({ id: 'new1', name: 'Renamed', email: 'renamed@acme.example', mfaEnabled: true, lastActiveAt: at(5) });
        expect((await subject.users.findByEmail('renamed@acme.example'))?.id).to.equal('new1');
        expect(await subject.users.findByEmail('new1@acme.example')).to.equal(undefined);
        await subject.users.upsert([profile('new1', 'renamed@acme.example', { lastActiveAt: null })]);
        expect((await subject.users.findById('new1'))?.lastActiveAt).to.equal(null);
      });

      it('refuses a batch that gives one address to two users, and writes none of it', async function () {
        const error = await expectRejection(subject.users.upsert([profile('new1', 'new1@acme.example'), profile('cy', 'ada@acme.example')]), EmailInUseError);
        expect(error.email).to.equal('ada@acme.example');
        expect(await subject.users.findById('new1')).to.equal(undefined);
        expect((await subject.users.findById('cy'))?.email).to.equal('cy@acme.example');
        await expectRejection(subject.users.upsert([profile('new1', 'same@acme.example'), profile('new2', 'same@acme.example')]), EmailInUseError);
        expect(await subject.users.findByEmail('same@acme.example')).to.equal(undefined);
        // An address given up in the same batch may be taken.
        await subject.users.upsert([profile('ada', 'ada.lovelace@acme.example'), profile('new1', 'ada@acme.example')]);
        expect((await subject.users.findByEmail('ada@acme.example'))?.id).to.equal('new1');
        expect((await subject.users.findByEmail('ada.lovelace@acme.example'))?.id).to.equal('ada');
      });

      it('takes back nothing of a refused batch: its new addresses stay free', async function () {
        await expectRejection(subject.users.upsert([profile('new1', 'new1@acme.example'), profile('bob', 'bob.new@acme.example'), profile('cy', 'ada@acme.example')]), EmailInUseError);
        expect(await subject.users.findByEmail('new1@acme.example')).to.equal(undefined);
        expect(await subject.users.findByEmail('bob.new@acme.example')).to.equal(undefined);
        expect((await subject.users.findByEmail('bob@acme.example'))?.id).to.equal('bob');
        expect((await subject.users.findById('bob'))?.email).to.equal('bob@acme.example');
        await subject.users.upsert([profile('new2', 'new1@acme.example')]);
        expect((await subject.users.findByEmail('new1@acme.example'))?.id).to.equal('new2');
      });

      it('lets users of one batch swap and pass on their addresses', async function () {
        await subject.users.upsert([profile('ada', 'bob@acme.example'), profile('bob', 'cy@acme.example'), profile('cy', 'ada@acme.example')]);
        expect((await subject.users.findByEmail('bob@acme.example'))?.id).to.equal('ada');
        expect((await subject.users.findByEmail('cy@acme.example'))?.id).to.equal('bob');
        expect((await subject.users.findByEmail('ada@acme.example'))?.id).to.equal('cy');
        expect((await subject.users.findByIds(['ada', 'bob', 'cy'])).map((u) => `${u.id}:${u.email}`).sort()).to.deep.equal([
          'ada:bob@acme.example',
          'bob:cy@acme.example',
          'cy:ada@acme.example',
        ]);
      });

      it('gives an address to one of two concurrent batches; the other is refused and writes nothing', async function () {
        const outcomes = await Promise.allSettled([subject.users.upsert([profile('new1', 'same@acme.example')]), subject.users.upsert([profile('new2', 'same@acme.example')])]);
        const winner = outcomes.findIndex((o) => o.status === 'fulfilled');
        const loser = outcomes.find((o) => o.status === 'rejected');
        expect(winner, 'one batch is taken').to.be.oneOf([0, 1]);
        expect(loser?.reason).to.be.instanceOf(EmailInUseError);
        const [kept, refused] = winner === 0 ? ['new1', 'new2'] : ['new2', 'new1'];
        expect((await subject.users.findByEmail('same@acme.example'))?.id).to.equal(kept);
        expect(await subject.users.findById(refused)).to.equal(undefined);
      });

      it('takes two concurrent first writes of one new user; the user holds the address it ends with, and only that one', async function () {
        await Promise.all([subject.users.upsert([profile('new1', 'first@acme.example')]), subject.users.upsert([profile('new1', 'second@acme.example')])]);
        const stored = await subject.users.findById('new1');
        expect(stored?.email).to.be.oneOf(['first@acme.example', 'second@acme.example']);
        const other = stored?.email === 'first@acme.example' ? 'second@acme.example' : 'first@acme.example';
        expect((await subject.users.findByEmail(stored?.email ?? ''))?.id).to.equal('new1');
        expect(await subject.users.findByEmail(other)).to.equal(undefined);
      });

      it('finds users by ids, leaving out unknown ones', async function () {
        await subject.users.upsert([profile('new1', 'new1@acme.example', { lastActiveAt: at(5) })]);
        const found = await subject.users.findByIds(['ghost', 'new1', 'cy', 'new1']);
        expect([...found].sort((a, b) => a.id.localeCompare(b.id))).to.deep.equal([
          aUser('cy').withEmail('cy@acme.example').build(),
          { id: 'new1', name: 'NEW1', email: 'new1@acme.example', mfaEnabled: false, lastActiveAt: at(5) },
        ]);
        expect(await subject.users.findByIds([])).to.deep.equal([]);
      });

      it('raises the last activity and never lowers it; unknown users are ignored', async function () {
        await subject.users.upsert([profile('new1', 'new1@acme.example', { lastActiveAt: at(10) })]);
        await subject.users.recordActivity([{ userId: 'new1', at: at(5) }, { userId: 'ghost', at: at(20) }]);
        expect((await subject.users.findById('new1'))?.lastActiveAt).to.deep.equal(at(10));
        await subject.users.recordActivity([{ userId: 'new1', at: at(30) }, { userId: 'new1', at: at(25) }, { userId: 'cy', at: at(40) }]);
        expect((await subject.users.findById('new1'))?.lastActiveAt).to.deep.equal(at(30));
        expect((await subject.users.findById('cy'))?.lastActiveAt).to.deep.equal(at(40));
        expect(await subject.users.findById('ghost')).to.equal(undefined);
      });

      it('takes a batch of 250 users that already exist (renamed, new addresses, new activity) in one call each', async function () {
        // FerretDB never answers one update command that matches 100 or more stored documents: a
        // store must split large batches.
        const ids = Array.from({ length: 250 }, (_, i) => `bulk${String(i).padStart(3, '0')}`);
        await subject.users.upsert(ids.map((id) => profile(id, `${id}@acme.example`)));
        await subject.users.upsert(ids.map((id) => profile(id, `${id}.moved@acme.example`, { name: `Moved ${id}` })));
        await subject.users.recordActivity(ids.map((userId, i) => ({ userId, at: at(i + 1) })));
        const found = await subject.users.findByIds(ids);
        expect(found).to.have.length(250);
        for (const user of found) {
          const i = ids.indexOf(user.id);
          expect(user).to.deep.equal({ id: user.id, name: `Moved ${user.id}`, email: `${user.id}.moved@acme.example`, mfaEnabled: false, lastActiveAt: at(i + 1) });
        }
        expect((await subject.users.findByEmail('bulk123.moved@acme.example'))?.id).to.equal('bulk123');
        expect(await subject.users.findByEmail('bulk123@acme.example')).to.equal(undefined);
      });

      it('shows directory changes in the roster of the user’s organisation', async function () {
        await create(acme());
        await subject.users.upsert([profile('cy', 'cy.hopper@acme.example', { name: 'Cy Hopper', mfaEnabled: true })]);
        await subject.users.recordActivity([{ userId: 'cy', at: at(42) }]);
        const page = await subject.roster.page('acme', parseRosterQuery({ q: 'hopper' }, 'partner_admin'));
        expect(page.items).to.deep.equal([{ userId: 'cy', name: 'Cy Hopper', email: 'cy.hopper@acme.example', role: 'partner_user', mfaEnabled: true, lastActiveAt: at(42) }]);
      });
    });

    describe('roster', function () {
      const members = (): OrganisationState => {
        const builder = anOrganisation('acme').withAdmins('ada', 'u03', 'u07');
        for (const u of rosterUsers) if (!['u03', 'u07'].includes(u.id)) builder.withUsers(u.id);
        return builder.build();
      };
      const directory = new Map([...rosterUsers, aUser('ada').withEmail('ada@acme.example').build()].map((u) => [u.id, u]));
      const entries = (memberships: readonly Membership[]): RosterEntry[] =>
        memberships.map((m) => {
          const u = directory.get(m.userId)!;
          return { userId: u.id, name: u.name, email: u.email, role: m.role, mfaEnabled: u.mfaEnabled, lastActiveAt: u.lastActiveAt };
        });
      const inputs: RosterQueryInput[] = [
        {},
        { sort: 'name', order: 'desc' },
        { sort: 'email' },
        { sort: 'email', order: 'desc', limit: 3 },
        { sort: 'role', limit: 4 },
        { sort: 'role', order: 'desc', limit: 5 },
        { sort: 'lastActiveAt', limit: 2 },
        { sort: 'lastActiveAt', order: 'desc', limit: 3 },
        { q: 'SMITH', limit: 2 },
        { q: 'smith', sort: 'email', order: 'desc', limit: 1 },
        { q: 'é', limit: 2 },
        { q: 'acme.example', sort: 'role', limit: 3 },
        { q: 'nobody-matches-this' },
        { q: '😀' },
      ];

      async function walk(input: RosterQueryInput, all: RosterEntry[]): Promise<void> {
        let query = parseRosterQuery(input, 'partner_admin');
        for (let pages = 0; pages < 20; pages += 1) {
          const page = await subject.roster.page('acme', query);
          const expected = referenceRosterPage(all, query);
          expect(page.items, JSON.stringify(input)).to.deep.equal(expected.items);
          expect(page.total, JSON.stringify(input)).to.equal(expected.total);
          expect(page.hasMore).to.equal(expected.hasMore);
          const last = page.items.at(-1);
          if (!page.hasMore || last === undefined) return;
          query = { ...query, after: rosterPosition(last, query.sort) };
        }
        expect.fail('pagination did not end');
      }

      it('walks every sort, order and search page by page exactly as the reference does', async function () {
        const state = members();
        await create(state);
        const all = entries(state.memberships);
        for (const input of inputs) await walk(input, all);
      });

      it('follows role changes, removals and profile changes', async function () {
        const state = members();
        await create(state);
        await subject.organisations.save(change('acme', 1, { set: [member('u05', 'partner_admin')], removed: ['u02'] }), 1);
        await subject.putUsers([aUser('u04').named('Aaron Renamed').withEmail('aaron@acme.example').lastActive(null).build()]);
        const memberships = state.memberships.filter((m) => m.userId !== 'u02').map((m) => (m.userId === 'u05' ? member('u05', 'partner_admin') : m));
        const all = entries(memberships).map((e) => (e.userId === 'u04' ? { ...e, name: 'Aaron Renamed', email: 'aaron@acme.example', lastActiveAt: null } : e));
        for (const input of inputs) await walk(input, all);
      });

      it('shows nothing of another organisation', async function () {
        await create(members());
        const page = await subject.roster.page('globex', parseRosterQuery({}, 'partner_admin'));
        expect(page).to.deep.equal({ items: [], total: 0, hasMore: false });
      });
    });
  });
}
