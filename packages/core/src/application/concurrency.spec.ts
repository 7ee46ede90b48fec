import {
  InMemoryPartnerTeamStore,
  TestTeam,
  anOrganisation,
  users,
} from '@partner-team/testing';
import { expect } from 'chai';
import { ConcurrencyConflictError, DomainError } from '../domain/shared/errors.js';
import type { OrganisationState } from '../domain/organisation/partner-organisation.js';
import type { OrganisationRepository } from './ports/organisation-repository.js';

const { ada, bob, cy, eve, gus } = users;
const rounds = 50;

async function twoAdmins(options: { naive?: boolean } = {}): Promise<TestTeam> {
  const team = new TestTeam({ interleave: true });
  if (options.naive === true) makeNaive(team.store);
  team.givenUsers(...Object.values(users));
  await team.givenOrganisations(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
  return team;
}

/**
 * Test-only: turns the store into a check-then-update store. Each save applies the writer's changes
 * (relative to the version it loaded) field by field onto whatever is current, without any version
 * check: the classic read-decide-update race. Used to prove the harness really overlaps calls.
 */
function makeNaive(store: InMemoryPartnerTeamStore): void {
  const repository: OrganisationRepository = store.organisations;
  const save = repository.save.bind(repository);
  const load = repository.load.bind(repository);
  const history = new Map<string, OrganisationState>();
  repository.load = async (id) => {
    const loaded = await load(id);
    if (loaded !== undefined) history.set(`${id}@${loaded.version}`, loaded.state);
    return loaded;
  };
  repository.save = async (state, expectedVersion, events) => {
    const base = history.get(`${state.id}@${expectedVersion}`);
    if (base === undefined) return save(state, expectedVersion, events);
    const wanted = new Map(state.memberships.map((m) => [m.userId, m]));
    const before = new Map(base.memberships.map((m) => [m.userId, m]));
    // Apply the writer's field changes onto whatever is current, however many writes happened since.
    for (;;) {
      const current = (await load(state.id))!;
      const memberships = current.state.memberships
        .filter((m) => !(before.has(m.userId) && !wanted.has(m.userId)))
        .map((m) => (wanted.get(m.userId)?.role !== before.get(m.userId)?.role ? (wanted.get(m.userId) ?? m) : m));
      try {
        await save({ ...current.state, memberships }, current.version, events);
        return;
      } catch (error: unknown) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
  };
}

async function admins(team: TestTeam): Promise<string[]> {
  const state = (await team.store.organisations.load('acme'))!.state;
  return state.memberships.filter((m) => m.role === 'partner_admin').map((m) => m.userId);
}

type Race = (team: TestTeam) => [Promise<unknown>, Promise<unknown>];
const races: Record<string, Race> = {
  'demote ↔ demote': (t) => [t.changeRole({ actor: ada, target: bob, role: 'partner_user' }), t.changeRole({ actor: bob, target: ada, role: 'partner_user' })],
  'remove ↔ remove': (t) => [t.remove({ actor: ada, target: bob }), t.remove({ actor: bob, target: ada })],
  'demote ↔ remove': (t) => [t.changeRole({ actor: ada, target: bob, role: 'partner_user' }), t.remove({ actor: bob, target: ada })],
};

describe('concurrent use cases on the in-memory adapters', function () {
  for (const [name, race] of Object.entries(races)) {
    it(`never ends with zero admins: ${name} between the only two admins, ${rounds} rounds`, async function () {
      for (let round = 0; round < rounds; round += 1) {
        const team = await twoAdmins();
        const outcomes = await Promise.allSettled(race(team));
        const won = outcomes.filter((o) => o.status === 'fulfilled').length;
        expect(won, `round ${round}`).to.equal(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).to.be.instanceOf(DomainError);
        expect(await admins(team)).to.have.length(1);
        expect(team.auditEvents('acme')).to.have.length(1);
      }
    });
  }

  it('negative control: the same race on a check-then-update store does end with zero admins', async function () {
    let zeroAdminRounds = 0;
    for (let round = 0; round < rounds; round += 1) {
      const team = await twoAdmins({ naive: true });
      await Promise.allSettled(races['demote ↔ demote']!(team));
      if ((await admins(team)).length === 0) zeroAdminRounds += 1;
    }
    expect(zeroAdminRounds).to.be.greaterThan(0);
  });

  it('two admins inviting one email at once leave exactly one pending invitation', async function () {
    for (let round = 0; round < rounds; round += 1) {
      const team = await twoAdmins();
      const outcomes = await Promise.allSettled([
        team.invite({ actor: ada, email: 'new@example.test' }),
        team.invite({ actor: bob, email: 'NEW@example.test' }),
      ]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      expect((await team.useCases.listPendingInvitations.execute({ actorUserId: 'ada' })).items).to.have.length(1);
      expect(team.auditEvents('acme')).to.have.length(1);
    }
  });

  it('two accepts of one token make exactly one membership', async function () {
    for (let round = 0; round < rounds; round += 1) {
      const team = await twoAdmins();
      await team.invite({ actor: ada, email: gus.email });
      const token = team.notifier.tokenFor(gus.email)!;
      const outcomes = await Promise.allSettled([team.accept({ actor: gus, token }), team.accept({ actor: gus, token })]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      const state = (await team.store.organisations.load('acme'))!.state;
      expect(state.memberships.filter((m) => m.userId === 'gus')).to.have.length(1);
      expect(team.auditEvents('acme').filter((e) => e.action === 'invitation.accepted')).to.have.length(1);
    }
  });

  it('accepting invitations of two organisations at once leaves the user in exactly one', async function () {
    for (let round = 0; round < rounds; round += 1) {
      const team = await twoAdmins();
      await team.givenOrganisations(anOrganisation('globex').withAdmins(eve));
      await team.invite({ actor: ada, email: gus.email });
      const acmeToken = team.notifier.tokenFor(gus.email)!;
      await team.invite({ actor: eve, email: gus.email });
      const globexToken = team.notifier.tokenFor(gus.email)!;
      const outcomes = await Promise.allSettled([team.accept({ actor: gus, token: acmeToken }), team.accept({ actor: gus, token: globexToken })]);
      expect(outcomes.filter((o) => o.status === 'fulfilled')).to.have.length(1);
      const memberships = await Promise.all(
        ['acme', 'globex'].map(async (id) => (await team.store.organisations.load(id))!.state.memberships.some((m) => m.userId === 'gus')),
      );
      expect(memberships.filter(Boolean)).to.have.length(1);
    }
  });
});

