import { TestTeam, aUser, anOrganisation } from '@partner-team/testing';
import { expect } from 'chai';
import fc from 'fast-check';
import { partnerRoles, type PartnerRole } from '../domain/membership/partner-role.js';
import { organisationStatuses, type OrganisationStatus } from '../domain/organisation/organisation-status.js';
import { maxPendingInvitations } from '../domain/organisation/partner-organisation.js';
import { effectiveInvitationStatus } from '../domain/invitation/invitation.js';
import type { OrganisationState } from '../domain/organisation/organisation-record.js';

const runs = 1000;
const pool = ['u0', 'u1', 'u2', 'u3', 'u4', 'u5'];
const outsiders = ['o0', 'o1', 'b0'];
const everyone = [...pool, ...outsiders];
const emailOf = (id: string) => `${id}@property.example`;
const day = 24 * 60 * 60 * 1000;

type Command =
  | { kind: 'role'; actor: string; target: string; role: PartnerRole }
  | { kind: 'remove'; actor: string; target: string }
  | { kind: 'invite'; actor: string; email: string; role: PartnerRole }
  | { kind: 'revoke'; actor: string; invitation: number }
  | { kind: 'accept'; actor: string; invitation: number }
  | { kind: 'tick'; days: number };

interface Scenario {
  status: OrganisationStatus;
  bootstrapped: boolean;
  invitationsEnabled: boolean;
  roles: (PartnerRole | null)[];
  /** Pending invitations the organisation starts with, sent by its admins (near the cap, or none). */
  seededInvitations: number;
  commands: Command[];
}

const who = fc.constantFrom(...everyone);
const target = fc.constantFrom(...everyone, 'ghost');
const role = fc.constantFrom(...partnerRoles);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('role' as const), actor: who, target, role }),
  fc.record({ kind: fc.constant('remove' as const), actor: who, target }),
  fc.record({ kind: fc.constant('invite' as const), actor: who, email: fc.constantFrom(...everyone.map(emailOf), 'NEW0@property.example', 'new1@property.example'), role }),
  fc.record({ kind: fc.constant('revoke' as const), actor: who, invitation: fc.nat(4) }),
  fc.record({ kind: fc.constant('accept' as const), actor: who, invitation: fc.nat(4) }),
  fc.record({ kind: fc.constant('tick' as const), days: fc.integer({ min: 1, max: 8 }) }),
);
const scenario: fc.Arbitrary<Scenario> = fc.record({
  status: fc.constantFrom(...organisationStatuses),
  bootstrapped: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  invitationsEnabled: fc.boolean(),
  roles: fc.array(fc.option(role, { nil: null }), { minLength: pool.length, maxLength: pool.length }),
  seededInvitations: fc.oneof({ weight: 2, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: maxPendingInvitations - 6, max: maxPendingInvitations }) }),
  commands: fc.array(command, { minLength: 1, maxLength: 25 }),
});

/** Both organisations of the scenario: `acme` (the one under test) and `beta` (always active). */
interface World {
  readonly acme: OrganisationState;
  readonly beta: OrganisationState;
}

interface Step {
  readonly command: Command;
  readonly before: World;
  readonly after: World;
  readonly succeeded: boolean;
  /** The clock after the command. */
  readonly at: Date;
  readonly newEvents: { readonly acme: number; readonly beta: number };
}

async function play(s: Scenario): Promise<{ scenario: Scenario; steps: Step[] }> {
  const team = new TestTeam();
  team.givenUsers(...[...pool, ...outsiders, 'new0', 'new1'].map((id) => aUser(id).withEmail(emailOf(id)).build()));
  const acme = anOrganisation('acme').withStatus(s.status).withInvitationsEnabled(s.invitationsEnabled);
  if (!s.bootstrapped) acme.bootstrapPending();
  const roles = s.roles.includes('partner_admin') ? s.roles : ['partner_admin' as const, ...s.roles.slice(1)];
  roles.forEach((r, i) => {
    if (r !== null) acme.withMember(pool[i]!, r);
  });
  const admins = pool.filter((_, i) => roles[i] === 'partner_admin');
  for (let n = 0; n < s.seededInvitations; n += 1) {
    acme.withInvitation({ id: `seed-${n}`, email: `seed${n}@property.example`, tokenHash: `seed-hash-${n}`, invitedBy: admins[n % admins.length]! });
  }
  await team.givenOrganisations(acme, anOrganisation('beta').withAdmins('b0'));
  const load = (): World => ({
    acme: team.stateOf('acme'),
    beta: team.stateOf('beta'),
  });
  const events = () => ({ acme: team.auditEvents('acme').length, beta: team.auditEvents('beta').length });
  const steps: Step[] = [];
  const invitationIds: string[] = [];
  const tokens: string[] = [];
  for (const c of s.commands) {
    const before = load();
    const eventsBefore = events();
    let succeeded = true;
    try {
      switch (c.kind) {
        case 'role':
          await team.changeRole(c);
          break;
        case 'remove':
          await team.remove(c);
          break;
        case 'invite': {
          const invitation = await team.invite(c);
          invitationIds.push(invitation.id);
          tokens.push(team.tokens.issued.at(-1)!);
          break;
        }
        case 'revoke':
          await team.revoke({ actor: c.actor, invitationId: invitationIds[c.invitation] ?? 'inv-none' });
          break;
        case 'accept':
          await team.accept({ actor: c.actor, token: tokens[c.invitation] ?? 'unknown-token-unknown-token' });
          break;
        case 'tick':
          team.clock.advance(c.days * day);
          break;
      }
    } catch {
      succeeded = false;
    }
    const eventsAfter = events();
    steps.push({
      command: c,
      before,
      after: load(),
      succeeded,
      at: team.clock.now(),
      newEvents: { acme: eventsAfter.acme - eventsBefore.acme, beta: eventsAfter.beta - eventsBefore.beta },
    });
  }
  return { scenario: s, steps };
}

const changedIn = (step: Step, organisation: keyof World) =>
  JSON.stringify(step.before[organisation]) !== JSON.stringify(step.after[organisation]);
const roleIn = (world: World, userId: string) =>
  [...world.acme.memberships, ...world.beta.memberships].find((m) => m.userId === userId)?.role;

function property(check: (run: { scenario: Scenario; steps: Step[] }) => void) {
  return fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      check(await play(s));
    }),
    { numRuns: runs },
  );
}

describe(`PartnerOrganisation under random command sequences (${runs} sequences per property)`, function () {
  this.timeout(120_000);

  it('always keeps at least one partner_admin in a bootstrapped organisation', async function () {
    await property(({ scenario: s, steps }) => {
      if (!s.bootstrapped) return;
      for (const step of steps) {
        for (const state of [step.after.acme, step.after.beta]) expect(state.memberships.map((m) => m.role)).to.include('partner_admin');
      }
    });
  });

  it('never lets anyone change or remove themselves', async function () {
    await property(({ steps }) => {
      for (const step of steps) {
        const c = step.command;
        if ((c.kind === 'role' || c.kind === 'remove') && c.actor === c.target) {
          expect(step.succeeded).to.equal(false);
          expect(step.after).to.deep.equal(step.before);
        }
      }
    });
  });

  it('lets only partner_admins mutate (the invitee accepting aside)', async function () {
    await property(({ steps }) => {
      for (const step of steps) {
        if (step.command.kind === 'tick' || step.command.kind === 'accept') continue;
        if (!changedIn(step, 'acme') && !changedIn(step, 'beta')) continue;
        expect(roleIn(step.before, step.command.actor)).to.equal('partner_admin');
      }
    });
  });

  it('never changes a suspended, archived or bootstrap-pending organisation', async function () {
    await property(({ scenario: s, steps }) => {
      if (s.status === 'active' && s.bootstrapped) return;
      for (const step of steps) {
        expect(step.after.acme).to.deep.equal(step.before.acme);
        expect(step.newEvents.acme).to.equal(0);
      }
    });
  });

  it('keeps pending invitations under the cap, each carried by a current partner_admin (nothing revives)', async function () {
    await property(({ steps }) => {
      for (const step of steps) {
        const state = step.after.acme;
        const pending = state.invitations.filter((i) => effectiveInvitationStatus(i, step.at) === 'pending');
        expect(pending.length).to.be.at.most(maxPendingInvitations);
        for (const invitation of pending) {
          expect(state.memberships.find((m) => m.userId === invitation.invitedBy)?.role, JSON.stringify(step.command)).to.equal('partner_admin');
        }
      }
    });
  });

  it('records exactly one audit event per accepted mutation and none per rejection', async function () {
    await property(({ steps }) => {
      for (const step of steps) {
        if (!step.succeeded) expect(step.after, 'a rejection changed state').to.deep.equal(step.before);
        expect(step.newEvents.acme + step.newEvents.beta).to.equal(step.succeeded && (changedIn(step, 'acme') || changedIn(step, 'beta')) ? 1 : 0);
        expect(step.newEvents.acme).to.equal(changedIn(step, 'acme') ? 1 : 0);
      }
    });
  });
});
