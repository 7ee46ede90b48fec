import type { InMemoryPartnerTeamStore } from '@partner-team/in-memory';
import { TestTeam, anOrganisation, users } from '@partner-team/testing';
import { expect } from 'chai';
import type { PartnerRole } from '../domain/membership/partner-role.js';
import { ConcurrencyConflictError, DomainError } from '../domain/shared/errors.js';
import type { OrganisationRepository } from './ports/organisation-repository.js';

const { ada, bob, cy, eve, gus } = users;
const rounds = 50;
const adminRole: PartnerRole = 'partner_admin';

async function twoAdmins(options: { naive?: boolean } = {}): Promise<TestTeam> {
  const team = new TestTeam({ interleave: true });
  if (options.naive === true) makeNaive(team.store);
  team.givenUsers(...Object.values(users));
  await team.givenOrganisations(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy));
  return team;
}

/**
 * Test-only: turns the store into a check-then-update store. Each save applies the writer's change
 * onto whatever is current, without comparing versions: the classic read-decide-update race. Used to
 * prove the harness really overlaps calls.
 */
function makeNaive(store: InMemoryPartnerTeamStore): void {
  const repository: OrganisationRepository = store.organisations;
  const save = repository.save.bind(repository);
  repository.save = async (change) => {
    for (;;) {
      const current = await repository.load(change.organisationId);
      try {
        await save(change, current?.version ?? 0);
        return;
      } catch (error: unknown) {
        if (!(error instanceof ConcurrencyConflictError)) throw error;
      }
    }
  };
}

function admins(team: TestTeam): string[] {
  return team
    .stateOf('acme')
    .memberships.flatMap((m) => (m.role === adminRole ? [m.userId] : []));
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
        expect(admins(team)).to.have.length(1);
        expect(team.auditEvents('acme')).to.have.length(1);
      }
    });
  }

  it('negative control: the same race on a check-then-update store does end with zero admins', async function () {
    let zeroAdminRounds = 0;
    for (let round = 0; round < rounds; round += 1) {
      const team = await twoAdmins({ naive: true });
      await Promise.allSettled(races['demote ↔ demote']!(team));
      if (admins(team).length === 0) zeroAdminRounds += 1;
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
      const state = team.stateOf('acme');
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
      const memberships = ['acme', 'globex'].map((id) => team.stateOf(id).memberships.some((m) => m.userId === 'gus'));
      expect(memberships.filter(Boolean)).to.have.length(1);
    }
  });
});

