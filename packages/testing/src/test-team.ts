import { InMemoryPartnerTeamStore } from '@partner-team/in-memory';
import {
  createPartnerTeam,
  createSupportOperations,
  immediateRetryPolicy,
  persistencePortsOf,
  type AuditEvent,
  type DirectoryUser,
  type Membership,
  type OrganisationProfile,
  type OrganisationState,
  type PartnerRole,
  type PartnerTeam,
  type PartnerTeamPorts,
  type RetryPolicy,
  type SupportOperations,
} from '@partner-team/core';
import { OrganisationBuilder } from './builders/organisation-builder.js';
import { users as namedUsers } from './builders/fixtures.js';
import { DeterministicTokens } from './deterministic-tokens.js';
import { FixedClock } from './fixed-clock.js';
import { creationOf } from './creation.js';
import { MemoryLogger } from './memory-logger.js';
import { RecordingNotifier } from './recording-notifier.js';
import { SequentialIds } from './sequential-ids.js';

type Who = string | DirectoryUser;
const idOf = (who: Who): string => (typeof who === 'string' ? who : who.id);

export interface TestTeamOptions {
  /** Yield to the event loop inside every port call so that concurrent calls interleave. */
  readonly interleave?: boolean;
  readonly retry?: RetryPolicy;
  readonly invitationTtlMs?: number;
}

/**
 * The use cases wired to in-memory adapters, a fixed clock and deterministic ids and tokens, with
 * short-hands that read like the rules: `team.changeRole({ actor: ada, target: bob, role })`.
 */
export class TestTeam {
  readonly store: InMemoryPartnerTeamStore;
  readonly clock = new FixedClock();
  readonly ids = new SequentialIds();
  readonly tokens = new DeterministicTokens();
  readonly notifier = new RecordingNotifier();
  readonly logger = new MemoryLogger();
  readonly ports: PartnerTeamPorts;
  readonly useCases: PartnerTeam;
  /** The AiDial support operations over the same store. */
  readonly operations: SupportOperations;

  constructor(options: TestTeamOptions = {}) {
    this.store = new InMemoryPartnerTeamStore({ interleave: options.interleave ?? false });
    this.ports = {
      ...persistencePortsOf(this.store),
      clock: this.clock,
      ids: this.ids,
      tokens: this.tokens,
      notifier: this.notifier,
      logger: this.logger,
    };
    const useCaseOptions = {
      retry: options.retry ?? immediateRetryPolicy,
      ...(options.invitationTtlMs === undefined ? {} : { invitationTtlMs: options.invitationTtlMs }),
    };
    this.useCases = createPartnerTeam(this.ports, useCaseOptions);
    this.operations = createSupportOperations(this.ports, useCaseOptions);
  }

  givenUsers(...users: DirectoryUser[]): this {
    for (const user of users) this.store.putUser(user);
    return this;
  }

  async givenOrganisations(...organisations: (OrganisationState | OrganisationBuilder)[]): Promise<this> {
    for (const o of organisations) {
      await this.store.organisations.save(creationOf(o instanceof OrganisationBuilder ? o.build() : o), 0);
    }
    return this;
  }

  /** The whole stored state of an organisation (a copy). */
  stateOf(organisationId: string): OrganisationState {
    const stored = this.store.dump().organisations[organisationId];
    if (stored === undefined) throw new Error(`no organisation ${organisationId}`);
    return stored.state;
  }

  /**
   * Changes an organisation behind the use cases' back, as AiDial or another process would: a new
   * profile (merged) and memberships, saved at the current version without an audit event.
   */
  async amend(organisationId: string, amendment: { readonly profile?: Partial<Omit<OrganisationProfile, 'id'>>; readonly members?: readonly Membership[] }): Promise<void> {
    const current = await this.store.organisations.load(organisationId);
    if (current === undefined) throw new Error(`no organisation ${organisationId}`);
    await this.store.organisations.save(
      {
        organisationId,
        profile: amendment.profile === undefined ? null : { ...current.profile, ...amendment.profile },
        upsertedMembers: amendment.members ?? [],
        removedMembers: [],
        upsertedInvitations: [],
        removedInvitations: [],
        events: [],
      },
      current.version,
    );
  }

  /** The user's role in their organisation, or undefined when they belong to none. */
  async roleOf(who: Who): Promise<PartnerRole | undefined> {
    return (await this.store.memberships.findByUser(idOf(who)))?.membership.role;
  }

  /** Every audit event of an organisation, oldest first. */
  auditEvents(organisationId: string): readonly AuditEvent[] {
    return this.store.dump().auditEvents[organisationId] ?? [];
  }

  /** Every audit event in the store (organisations' and those that belong to none). */
  allAuditEvents(): AuditEvent[] {
    const dump = this.store.dump();
    return [...Object.values(dump.auditEvents).flat(), ...dump.unscopedAuditEvents];
  }

  /** The audit events that belong to no organisation (directory changes, support reads), oldest first. */
  unscopedAuditEvents(): readonly AuditEvent[] {
    return this.store.dump().unscopedAuditEvents;
  }

  changeRole(args: { actor: Who; target: Who; role: PartnerRole }) {
    return this.useCases.changeMemberRole.execute({ actorUserId: idOf(args.actor), targetUserId: idOf(args.target), role: args.role });
  }

  remove(args: { actor: Who; target: Who }) {
    return this.useCases.removeMember.execute({ actorUserId: idOf(args.actor), targetUserId: idOf(args.target) });
  }

  invite(args: { actor: Who; email: string; role?: PartnerRole }) {
    return this.useCases.inviteUser.execute({ actorUserId: idOf(args.actor), email: args.email, role: args.role ?? 'partner_user' });
  }

  revoke(args: { actor: Who; invitationId: string }) {
    return this.useCases.revokeInvitation.execute({ actorUserId: idOf(args.actor), invitationId: args.invitationId });
  }

  resend(args: { actor: Who; invitationId: string }) {
    return this.useCases.resendInvitation.execute({ actorUserId: idOf(args.actor), invitationId: args.invitationId });
  }

  accept(args: { actor: Who; token: string }) {
    return this.useCases.acceptInvitation.execute({ actorUserId: idOf(args.actor), token: args.token });
  }
}

/**
 * A team over the named fixture users with the given organisations stored:
 * `await givenTeam(anOrganisation('acme').withAdmins(ada, bob).withUsers(cy))`.
 */
export async function givenTeam(
  ...organisations: (OrganisationState | OrganisationBuilder)[]
): Promise<TestTeam> {
  return new TestTeam().givenUsers(...Object.values(namedUsers)).givenOrganisations(...organisations);
}
