import {
  ConcurrencyConflictError,
  MemberOfAnotherOrganisationError,
  parseRosterQuery,
  referenceRosterPage,
  rosterPosition,
  type AuditEvent,
  type AuditLog,
  type DirectoryUser,
  type MemberRoster,
  type MembershipLookup,
  type OrganisationRepository,
  type OrganisationState,
  type RosterEntry,
  type RosterQueryInput,
  type PartnerRole,
} from '@partner-team/core';
import { expect } from 'chai';
import { expectRejection } from '../assertions.js';
import { anOrganisation } from '../builders/organisation-builder.js';
import { aUser } from '../builders/user-builder.js';

/** The ports a persistence adapter provides, over one isolated (empty) store. */
export interface PersistenceSubject {
  readonly organisations: OrganisationRepository;
  readonly memberships: MembershipLookup;
  readonly auditLog: AuditLog;
  readonly roster: MemberRoster;
  /** Adds or replaces users in the directory the roster reads. */
  putUsers(users: readonly DirectoryUser[]): Promise<void>;
  /** Releases the store (drop the database, close connections). */
  dispose?(): Promise<void>;
}

const at = (minute: number): Date => new Date(Date.UTC(2026, 0, 15, 9, minute));

function event(organisationId: string, n: number, actorUserId = 'ada'): AuditEvent {
  return {
    id: `evt-${organisationId}-${n}`,
    organisationId,
    action: 'member.role_changed',
    actorUserId,
    targetUserId: 'bob',
    invitationId: null,
    before: { role: 'partner_admin' },
    after: { role: 'partner_user' },
    at: at(n),
    requestId: `req-${n}`,
  };
}

function withRole(state: OrganisationState, userId: string, role: PartnerRole): OrganisationState {
  return { ...state, memberships: state.memberships.map((m) => (m.userId === userId ? { ...m, role } : m)) };
}

function without(state: OrganisationState, userId: string): OrganisationState {
  return { ...state, memberships: state.memberships.filter((m) => m.userId !== userId) };
}

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
 * The persistence contract every adapter must pass: optimistic concurrency, atomic state + audit
 * events, copies not references, membership lookup, cross-organisation membership uniqueness,
 * invitation token lookup, and roster pages identical to the reference semantics.
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

    const acme = () => anOrganisation('acme').named('Acme').withAdmins('ada', 'bob').withUsers('cy').build();

    it('loads nothing for an unknown organisation', async function () {
      expect(await subject.organisations.load('nowhere')).to.equal(undefined);
    });

    it('creates an organisation at version 1 and loads an equal copy', async function () {
      const state = acme();
      await subject.organisations.save(state, 0, []);
      const loaded = await subject.organisations.load('acme');
      expect(loaded?.version).to.equal(1);
      expect(loaded?.state).to.deep.equal(state);
    });

    it('never shares objects with its callers', async function () {
      const state = acme();
      await subject.organisations.save(state, 0, []);
      (state.memberships as unknown as { role: string }[])[0]!.role = 'partner_user';
      const first = await subject.organisations.load('acme');
      (first!.state.memberships as unknown as { role: string }[])[1]!.role = 'partner_user';
      (first!.state as { name: string }).name = 'Changed';
      const second = await subject.organisations.load('acme');
      expect(second?.state).to.deep.equal(acme());
    });

    it('refuses a stale version and stores nothing', async function () {
      await subject.organisations.save(acme(), 0, []);
      await subject.organisations.save(withRole(acme(), 'bob', 'partner_user'), 1, [event('acme', 1)]);
      await expectRejection(
        subject.organisations.save(withRole(acme(), 'cy', 'partner_admin'), 1, [event('acme', 2)]),
        ConcurrencyConflictError,
      );
      const loaded = await subject.organisations.load('acme');
      expect(loaded?.version).to.equal(2);
      expect(loaded?.state).to.deep.equal(withRole(acme(), 'bob', 'partner_user'));
      const audit = await subject.auditLog.page('acme', { limit: 10, beforePosition: null });
      expect(audit.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-1']);
    });

    it('refuses to create an organisation that exists', async function () {
      await subject.organisations.save(acme(), 0, []);
      await expectRejection(subject.organisations.save(acme(), 0, [event('acme', 1)]), ConcurrencyConflictError);
      expect((await subject.auditLog.page('acme', { limit: 10, beforePosition: null })).items).to.deep.equal([]);
    });

    it('lets exactly one of many concurrent writers at one version win, with its audit event', async function () {
      await subject.organisations.save(acme(), 0, []);
      const candidates = ['ada', 'bob', 'cy', 'u01', 'u02', 'u03', 'u04', 'u05'].map((name, n) => ({
        state: { ...acme(), name: `Acme ${name}` },
        event: event('acme', n + 1),
      }));
      const outcomes = await Promise.allSettled(candidates.map((c) => subject.organisations.save(c.state, 1, [c.event])));
      const won = outcomes.flatMap((o, n) => (o.status === 'fulfilled' ? [n] : []));
      expect(won).to.have.length(1);
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(ConcurrencyConflictError);
      const winner = candidates[won[0]!]!;
      const loaded = await subject.organisations.load('acme');
      expect(loaded?.version).to.equal(2);
      expect(loaded?.state.name).to.equal(winner.state.name);
      const audit = await subject.auditLog.page('acme', { limit: 100, beforePosition: null });
      expect(audit.items.map((i) => i.event)).to.deep.equal([winner.event]);
    });

    it('pages audit events newest first and keeps each organisation to its own log', async function () {
      await subject.organisations.save(acme(), 0, []);
      await subject.organisations.save(anOrganisation('globex').withAdmins('u01').build(), 0, []);
      let version = 1;
      for (let n = 1; n <= 5; n += 1) {
        await subject.organisations.save({ ...acme(), name: `Acme ${n}` }, version, [event('acme', n)]);
        version += 1;
      }
      await subject.organisations.save({ ...anOrganisation('globex').withAdmins('u01').build(), name: 'G' }, 1, [event('globex', 9, 'u01')]);
      const first = await subject.auditLog.page('acme', { limit: 2, beforePosition: null });
      expect(first.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-5', 'evt-acme-4']);
      expect(first.hasMore).to.equal(true);
      const second = await subject.auditLog.page('acme', { limit: 2, beforePosition: first.items[1]!.position });
      expect(second.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-3', 'evt-acme-2']);
      const rest = await subject.auditLog.page('acme', { limit: 2, beforePosition: second.items[1]!.position });
      expect(rest.items.map((i) => i.event.id)).to.deep.equal(['evt-acme-1']);
      expect(rest.hasMore).to.equal(false);
      expect(rest.items[0]!.event).to.deep.equal(event('acme', 1));
      const globex = await subject.auditLog.page('globex', { limit: 10, beforePosition: null });
      expect(globex.items.map((i) => i.event.id)).to.deep.equal(['evt-globex-9']);
    });

    it('looks up memberships as saved: joined, role changed, removed', async function () {
      await subject.organisations.save(acme(), 0, []);
      const cy = await subject.memberships.findByUser('cy');
      expect(cy?.organisation).to.deep.equal({ id: 'acme', name: 'Acme', status: 'active', bootstrapped: true, invitationsEnabled: true });
      expect(cy?.membership.role).to.equal('partner_user');
      expect([undefined, 3]).to.include(cy?.memberCount);
      expect(await subject.memberships.findOrganisationId('cy')).to.equal('acme');
      const withBob = await subject.memberships.findWithTeammate('cy', 'bob');
      expect(withBob?.organisation.id).to.equal('acme');
      expect(withBob?.membership.role).to.equal('partner_user');
      expect(withBob?.teammateIsMember).to.equal(true);
      expect((await subject.memberships.findWithTeammate('cy', 'nobody'))?.teammateIsMember).to.equal(false);
      expect((await subject.memberships.findWithTeammate('cy', 'cy'))?.teammateIsMember).to.equal(true);
      expect(await subject.memberships.findWithTeammate('nobody', 'cy')).to.equal(undefined);
      await subject.organisations.save(withRole(acme(), 'cy', 'partner_admin'), 1, [event('acme', 1)]);
      expect((await subject.memberships.findByUser('cy'))?.membership.role).to.equal('partner_admin');
      await subject.organisations.save(without(withRole(acme(), 'cy', 'partner_admin'), 'bob'), 2, [event('acme', 2)]);
      expect(await subject.memberships.findByUser('bob')).to.equal(undefined);
      expect((await subject.memberships.findWithTeammate('cy', 'bob'))?.teammateIsMember).to.equal(false);
      expect(await subject.memberships.findWithTeammate('bob', 'cy')).to.equal(undefined);
      expect([undefined, 2]).to.include((await subject.memberships.findByUser('cy'))?.memberCount);
      expect(await subject.memberships.findByUser('u01')).to.equal(undefined);
    });

    it('refuses a member who belongs to another organisation, until they leave it', async function () {
      await subject.organisations.save(acme(), 0, []);
      await subject.organisations.save(anOrganisation('globex').withAdmins('u01').build(), 0, []);
      const globexWithCy = anOrganisation('globex').withAdmins('u01').withUsers('cy').build();
      await expectRejection(subject.organisations.save(globexWithCy, 1, [event('globex', 1, 'u01')]), MemberOfAnotherOrganisationError);
      expect((await subject.organisations.load('globex'))?.version).to.equal(1);
      expect((await subject.memberships.findByUser('cy'))?.organisation.id).to.equal('acme');
      expect((await subject.auditLog.page('globex', { limit: 10, beforePosition: null })).items).to.deep.equal([]);
      await subject.organisations.save(without(acme(), 'cy'), 1, [event('acme', 1)]);
      await subject.organisations.save(globexWithCy, 1, [event('globex', 2, 'u01')]);
      expect((await subject.memberships.findByUser('cy'))?.organisation.id).to.equal('globex');
      expect(await subject.memberships.findOrganisationId('cy')).to.equal('globex');
    });

    it('finds an organisation by the token hash of any of its invitations', async function () {
      const state = anOrganisation('acme')
        .withAdmins('ada')
        .withInvitation({ id: 'inv-1', email: 'new@acme.example', tokenHash: 'hash-one' })
        .withInvitation({ id: 'inv-2', email: 'old@acme.example', tokenHash: 'hash-two', status: 'revoked', closedAt: at(1) })
        .build();
      await subject.organisations.save(state, 0, []);
      expect(await subject.organisations.findByInvitationTokenHash('hash-one')).to.equal('acme');
      expect(await subject.organisations.findByInvitationTokenHash('hash-two')).to.equal('acme');
      expect(await subject.organisations.findByInvitationTokenHash('hash-three')).to.equal(undefined);
    });

    describe('roster', function () {
      const members = (): OrganisationState => {
        const builder = anOrganisation('acme').withAdmins('ada', 'u03', 'u07');
        for (const u of rosterUsers) if (!['u03', 'u07'].includes(u.id)) builder.withUsers(u.id);
        return builder.build();
      };
      const entries = (state: OrganisationState): RosterEntry[] => {
        const directory = new Map([...rosterUsers, aUser('ada').withEmail('ada@acme.example').build()].map((u) => [u.id, u]));
        return state.memberships.map((m) => {
          const u = directory.get(m.userId)!;
          return { userId: u.id, name: u.name, email: u.email, role: m.role, mfaEnabled: u.mfaEnabled, lastActiveAt: u.lastActiveAt };
        });
      };
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

      /** Walks the pages as `ListMembers` asks for them: with the team size the membership check read. */
      async function walk(input: RosterQueryInput, all: RosterEntry[]): Promise<void> {
        const memberCount = (await subject.memberships.findByUser(all[0]!.userId))?.memberCount;
        expect([undefined, all.length]).to.include(memberCount);
        let query = parseRosterQuery(input, 'partner_admin');
        for (let pages = 0; pages < 20; pages += 1) {
          const page = await subject.roster.page('acme', query, memberCount);
          const expected = referenceRosterPage(all, query);
          expect(page.items, JSON.stringify(input)).to.deep.equal(expected.items);
          expect(page.total).to.equal(expected.total);
          expect(page.hasMore).to.equal(expected.hasMore);
          const last = page.items.at(-1);
          if (!page.hasMore || last === undefined) return;
          query = { ...query, after: rosterPosition(last, query.sort) };
        }
        expect.fail('pagination did not end');
      }

      it('walks every sort, order and search page by page exactly as the reference does', async function () {
        const state = members();
        await subject.organisations.save(state, 0, []);
        const all = entries(state);
        for (const input of inputs) await walk(input, all);
      });

      it('follows role changes, removals and profile changes', async function () {
        const state = members();
        await subject.organisations.save(state, 0, []);
        const changed = without(withRole(state, 'u05', 'partner_admin'), 'u02');
        await subject.organisations.save(changed, 1, [event('acme', 1)]);
        await subject.putUsers([aUser('u04').named('Aaron Renamed').withEmail('aaron@acme.example').lastActive(null).build()]);
        const directory = entries(changed);
        const all = directory.map((e) => (e.userId === 'u04' ? { ...e, name: 'Aaron Renamed', email: 'aaron@acme.example', lastActiveAt: null } : e));
        for (const input of inputs) await walk(input, all);
      });

      it('shows nothing of another organisation', async function () {
        await subject.organisations.save(members(), 0, []);
        const page = await subject.roster.page('globex', parseRosterQuery({}, 'partner_admin'));
        expect(page).to.deep.equal({ items: [], total: 0, hasMore: false });
      });
    });
  });
}
