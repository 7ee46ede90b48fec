import type { AuditAction, AuditActorKind, AuditDetail, AuditEvent } from '../audit/audit-event.js';
import type { AssignedClient, ClientAssignment, ClientAssignmentKey } from '../client/client-assignment.js';
import { effectiveInvitationStatus, type Invitation, type InvitationStatus } from '../invitation/invitation.js';
import type { Membership } from '../membership/membership.js';
import { isPartnerRole, type PartnerRole } from '../membership/partner-role.js';
import {
  AlreadyBootstrappedError,
  AlreadyMemberError,
  AlreadyPartnerAdminError,
  AssignmentNotFoundError,
  ForbiddenError,
  InvitationEmailMismatchError,
  InvitationExpiredError,
  InvitationNotFoundError,
  InvitationPendingError,
  InvitationsDisabledError,
  LastAdminError,
  MemberNotFoundError,
  NotAPartnerMemberError,
  OrganisationArchivedError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  SelfRemovalError,
  SelfRoleChangeError,
  TooManyPendingInvitationsError,
} from '../shared/errors.js';
import { isIdentifier } from '../shared/identifier.js';
import type { OrganisationChange, OrganisationRecord, OrganisationState } from './organisation-record.js';
import { isOrganisationStatus, type OrganisationProfile, type OrganisationStatus } from './organisation-status.js';
import { managesTeam, roleAllows, type Permission } from './permissions.js';

/** Who acts, when, and under which ids the resulting audit event is recorded. */
export interface MutationContext {
  readonly actorUserId: string;
  readonly at: Date;
  /** Id for the audit event this mutation records. */
  readonly eventId: string;
  readonly requestId: string | null;
}

/**
 * An AiDial support operator's action: who (an operator id, never a partner member), why (the
 * reason, already checked by `parseSupportReason`), when, and the ids of the audit event it records.
 */
export interface SupportContext {
  readonly operatorId: string;
  readonly reason: string;
  readonly at: Date;
  readonly eventId: string;
  readonly requestId: string | null;
}

/** A new organisation as support provisions it. */
export interface NewOrganisation {
  readonly id: string;
  readonly name: string;
  readonly invitationsEnabled: boolean;
}

/** A pending invitation created by a support import, on behalf of one of the organisation's partner_admins. */
export interface ImportedInvitation extends NewInvitation {
  /** The partner_admin the invitation comes from (it carries their authority). */
  readonly invitedBy: string;
}

/** What {@link PartnerOrganisation.inviteUser} needs beyond the context. */
export interface NewInvitation {
  readonly invitationId: string;
  /** Normalised email address. */
  readonly email: string;
  readonly role: PartnerRole;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  /** The invitee's user id when the directory knows the address (their membership must be loaded), else null. */
  readonly inviteeUserId: string | null;
}

/** What {@link PartnerOrganisation.resendInvitation} needs beyond the context: the new token's hash and expiry. */
export interface InvitationRenewal {
  readonly tokenHash: string;
  readonly expiresAt: Date;
}

/** What {@link PartnerOrganisation.acceptInvitation} needs beyond the context. */
export interface InvitationAcceptance {
  readonly tokenHash: string;
  /** The signed-in user's normalised email address. */
  readonly email: string;
}

/** Thrown when persisted state breaks an invariant; a corrupt store, not a client mistake. */
export class InvalidOrganisationStateError extends Error {
  constructor(
    readonly organisationId: string,
    readonly reason: string,
  ) {
    super(`Organisation ${organisationId} has invalid state: ${reason}`);
    this.name = 'InvalidOrganisationStateError';
  }
}

/** How long closed invitations stay in the state (to answer their token precisely) before pruning. */
export const closedInvitationRetentionMs = 30 * 24 * 60 * 60 * 1000;
/** Most pending invitations an organisation may have: keeps every record (and stored document) bounded. */
export const maxPendingInvitations = 200;
/** Most closed invitations kept (newest first) within the retention period. */
export const maxClosedInvitationsKept = 200;

/**
 * The PartnerOrganisation aggregate: a partner organisation, the memberships a decision needs and
 * its invitations, with every rule of the partner-team surface. Commands validate, change the
 * aggregate and record exactly one audit event; a refused command throws a {@link DomainError}
 * subclass and changes nothing. What changed is handed to the repository by {@link pullChange}.
 *
 * The aggregate is built from an {@link OrganisationRecord} that carries only the memberships the
 * use case asked for (the actor, a target, an invitee) plus the admin count, so a decision costs
 * the same in a team of ten and in a team of ten thousand. Asking about a user who was not loaded
 * is a programming error and throws.
 *
 * Refusal precedence for management commands: not a member → bootstrap pending → organisation not
 * active → the command's own rules (self action, unknown target, last admin) → role. The role check
 * comes after the target rules because those only describe state every member can already read, and
 * it lets the loser of a race between two admins learn the rule that protected the team.
 */
export class PartnerOrganisation {
  private readonly members: Map<string, Membership | null>;
  private readonly invitations: Map<string, Invitation>;
  private admins: number;
  private recorded: AuditEvent[] = [];
  private readonly changedMembers = new Map<string, Membership | null>();
  private readonly changedInvitations = new Map<string, Invitation | null>();
  /** Loaded users' assignments: user id → client id → name. */
  private readonly assignments = new Map<string, Map<string, string>>();
  /** Assignment changes by "<userId> <clientId>": the new assignment, or null when removed. */
  private readonly changedAssignments = new Map<string, ClientAssignment | null>();
  private profileChanged: boolean;

  private constructor(
    private profile: OrganisationProfile,
    admins: number,
    members: Map<string, Membership | null>,
    invitations: Map<string, Invitation>,
    created: boolean,
  ) {
    this.admins = admins;
    this.members = members;
    this.invitations = invitations;
    this.profileChanged = created;
  }

  /**
   * Rebuilds the aggregate from a loaded record, copying it (the aggregate never aliases its input).
   *
   * @throws {@link InvalidOrganisationStateError} when the record breaks an invariant: an invalid id,
   *   name or status, unknown roles, duplicate invitations or token hashes, two pending invitations
   *   for one email, or a bootstrapped organisation without a partner_admin.
   */
  static fromRecord(record: OrganisationRecord): PartnerOrganisation {
    const profile = checkedProfile(record.profile);
    const fail = (reason: string): never => {
      throw new InvalidOrganisationStateError(profile.id, reason);
    };
    if (!Number.isSafeInteger(record.adminCount) || record.adminCount < 0) fail('the admin count is not a count');
    if (profile.bootstrapped && record.adminCount === 0) fail('a bootstrapped organisation has no partner_admin');
    const members = new Map<string, Membership | null>();
    for (const [userId, m] of record.members) {
      if (m === null) {
        members.set(userId, null);
        continue;
      }
      if (m.userId !== userId || !isIdentifier(m.userId)) fail('a membership has an invalid user id');
      if (!isPartnerRole(m.role)) fail(`membership ${m.userId} has an unknown role`);
      members.set(userId, copyMembership(m));
    }
    const organisation = new PartnerOrganisation(profile, record.adminCount, members, checkedInvitations(profile.id, record.invitations), false);
    for (const userId of members.keys()) {
      const clients = record.assignments?.get(userId) ?? [];
      organisation.assignments.set(userId, new Map(clients.map((c) => [c.clientId, c.name])));
    }
    return organisation;
  }

  /**
   * Provisions a new organisation for AiDial support: active, bootstrap pending, no members yet.
   * Records `organisation.provisioned`; {@link pullChange} then returns the change that creates it.
   *
   * @throws {@link InvalidOrganisationStateError} for an invalid id or an empty name.
   */
  static provision(context: SupportContext, organisation: NewOrganisation): PartnerOrganisation {
    const profile = checkedProfile({ id: organisation.id, name: organisation.name, status: 'active', bootstrapped: false, invitationsEnabled: organisation.invitationsEnabled });
    const provisioned = new PartnerOrganisation(profile, 0, new Map(), new Map(), true);
    provisioned.recordSupport(context, 'organisation.provisioned', {
      targetUserId: null,
      invitationId: null,
      before: null,
      after: { name: profile.name, organisationStatus: profile.status, bootstrapped: false, invitationsEnabled: profile.invitationsEnabled },
    });
    return provisioned;
  }

  /**
   * A new organisation holding the whole `state` (seeding, provisioning); {@link pullChange} then
   * returns the change that creates it.
   *
   * @throws {@link InvalidOrganisationStateError} as {@link fromRecord} does, for a member listed twice,
   *   and for a pending invitation whose inviter is not a current partner_admin (an invitation carries
   *   its inviter's authority).
   */
  static create(state: OrganisationState): PartnerOrganisation {
    const profile = checkedProfile(state);
    const members = new Map<string, Membership | null>();
    let admins = 0;
    for (const m of state.memberships) {
      if (!isIdentifier(m.userId)) throw new InvalidOrganisationStateError(profile.id, 'a membership has an invalid user id');
      if (!isPartnerRole(m.role)) throw new InvalidOrganisationStateError(profile.id, `membership ${m.userId} has an unknown role`);
      if (members.has(m.userId)) throw new InvalidOrganisationStateError(profile.id, `user ${m.userId} is a member twice`);
      members.set(m.userId, copyMembership(m));
      if (managesTeam(m.role)) admins += 1;
    }
    if (profile.bootstrapped && admins === 0) throw new InvalidOrganisationStateError(profile.id, 'a bootstrapped organisation has no partner_admin');
    const invitations = checkedInvitations(profile.id, state.invitations);
    for (const i of invitations.values()) {
      const inviter = members.get(i.invitedBy);
      if (i.status === 'pending' && (inviter === undefined || inviter === null || !managesTeam(inviter.role))) {
        throw new InvalidOrganisationStateError(profile.id, `invitation ${i.id} is pending but its inviter is not a partner_admin`);
      }
    }
    const organisation = new PartnerOrganisation(profile, admins, members, invitations, true);
    for (const [userId, m] of members) organisation.changedMembers.set(userId, m);
    for (const [id, i] of organisation.invitations) organisation.changedInvitations.set(id, i);
    return organisation;
  }

  get id(): string {
    return this.profile.id;
  }

  /** Name, status, bootstrap and invitation flags. */
  getProfile(): OrganisationProfile {
    return { ...this.profile };
  }

  /**
   * The current membership of `userId`, or undefined when they are not a member.
   *
   * @throws Error when the record was loaded without asking about `userId` (a programming error).
   */
  membershipOf(userId: string): Membership | undefined {
    const membership = this.members.get(userId);
    if (membership === undefined) throw new Error(`the membership of ${userId} was not loaded`);
    return membership === null ? undefined : copyMembership(membership);
  }

  /** Number of members with the partner_admin role. */
  adminCount(): number {
    return this.admins;
  }

  /**
   * The clients assigned to `userId` within this organisation, sorted by client id.
   *
   * @throws Error when the record was loaded without asking about `userId` (a programming error).
   */
  assignmentsOf(userId: string): AssignedClient[] {
    const clients = this.assignments.get(userId);
    if (clients === undefined) throw new Error(`the assignments of ${userId} were not loaded`);
    return [...clients].map(([clientId, name]) => ({ clientId, name })).sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  }

  /** The invitation with this id, whatever its status. */
  invitation(invitationId: string): Invitation | undefined {
    const invitation = this.invitations.get(invitationId);
    return invitation === undefined ? undefined : copyInvitation(invitation);
  }

  /** Invitations that are pending and unexpired at `now`, newest first. */
  pendingInvitations(now: Date): Invitation[] {
    return [...this.invitations.values()]
      .filter((i) => effectiveInvitationStatus(i, now) === 'pending')
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1))
      .map(copyInvitation);
  }

  /**
   * What changed since the aggregate was built (or since the last call), with the audit events
   * recorded in that time; undefined when nothing changed. The caller saves it at the loaded version.
   */
  pullChange(): OrganisationChange | undefined {
    if (
      !this.profileChanged &&
      this.changedMembers.size === 0 &&
      this.changedInvitations.size === 0 &&
      this.changedAssignments.size === 0 &&
      this.recorded.length === 0
    ) {
      return undefined;
    }
    const added = [...this.changedAssignments.values()].filter((a): a is ClientAssignment => a !== null);
    const removed = [...this.changedAssignments].filter(([, a]) => a === null).map(([key]) => assignmentKeyOf(key));
    const change: OrganisationChange = {
      organisationId: this.profile.id,
      profile: this.profileChanged ? { ...this.profile } : null,
      upsertedMembers: [...this.changedMembers.values()].filter((m): m is Membership => m !== null).map(copyMembership),
      removedMembers: [...this.changedMembers].filter(([, m]) => m === null).map(([userId]) => userId),
      upsertedInvitations: [...this.changedInvitations.values()].filter((i): i is Invitation => i !== null).map(copyInvitation),
      removedInvitations: [...this.changedInvitations].filter(([, i]) => i === null).map(([id]) => id),
      ...(added.length === 0 ? {} : { addedAssignments: added }),
      ...(removed.length === 0 ? {} : { removedAssignments: removed }),
      events: this.recorded,
    };
    this.profileChanged = false;
    this.changedMembers.clear();
    this.changedInvitations.clear();
    this.changedAssignments.clear();
    this.recorded = [];
    return change;
  }

  /**
   * Checks that `actorUserId` may read this organisation's team and returns their membership.
   *
   * @throws {@link NotAPartnerMemberError} when they are not a current member.
   * @throws {@link PartnerBootstrapIncompleteError} while bootstrap is pending.
   */
  authorizeRead(actorUserId: string): Membership {
    const actor = this.requireMember(actorUserId);
    if (!this.profile.bootstrapped) throw new PartnerBootstrapIncompleteError();
    return actor;
  }

  /**
   * Checks that `actorUserId` may read what `permission` covers (a read permission such as
   * `invitations.view`) and returns their membership.
   *
   * @throws the {@link authorizeRead} errors; {@link ForbiddenError} when their role does not grant it.
   */
  authorizeReadOf(actorUserId: string, permission: Permission, refusal?: string): Membership {
    const actor = this.authorizeRead(actorUserId);
    requireGrant(actor, permission, refusal);
    return actor;
  }

  /**
   * Invites an email address to join with `role`. Any stale (expired) pending invitation for the
   * same address is marked expired. Records `invitation.created`.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}, {@link ForbiddenError}; {@link InvitationsDisabledError};
   *   {@link AlreadyMemberError} when the invitee is a current member; {@link InvitationPendingError}
   *   when a pending unexpired invitation for the address exists;
   *   {@link TooManyPendingInvitationsError} at the cap.
   */
  inviteUser(context: MutationContext, invitation: NewInvitation): Invitation {
    const actor = this.requireActiveMember(context.actorUserId);
    requireGrant(actor, 'invitations.create');
    if (!this.profile.invitationsEnabled) throw new InvitationsDisabledError();
    if (invitation.inviteeUserId !== null && this.membershipOf(invitation.inviteeUserId) !== undefined) throw new AlreadyMemberError();
    const samePending = [...this.invitations.values()].filter((i) => i.email === invitation.email && i.status === 'pending');
    if (samePending.some((i) => effectiveInvitationStatus(i, context.at) === 'pending')) throw new InvitationPendingError();
    if (this.pendingCount(context.at) >= maxPendingInvitations) throw new TooManyPendingInvitationsError(maxPendingInvitations);
    if (invitation.expiresAt.getTime() <= context.at.getTime()) throw new InvalidOrganisationStateError(this.id, 'invitation expiry is not in the future');
    if (this.invitations.has(invitation.invitationId)) throw new InvalidOrganisationStateError(this.id, 'invitation id reused');
    if ([...this.invitations.values()].some((i) => i.tokenHash === invitation.tokenHash)) {
      throw new InvalidOrganisationStateError(this.id, 'invitation token hash reused');
    }
    for (const stale of samePending) this.putInvitation({ ...stale, status: 'expired', closedAt: context.at });
    const created: Invitation = {
      id: invitation.invitationId,
      email: invitation.email,
      role: invitation.role,
      status: 'pending',
      tokenHash: invitation.tokenHash,
      invitedBy: context.actorUserId,
      createdAt: context.at,
      expiresAt: invitation.expiresAt,
      closedAt: null,
      acceptedBy: null,
    };
    this.putInvitation(created);
    // No target: naming the invitee's user id would tell an admin whether an address has a portal
    // account anywhere. The address is in `after.email`.
    this.record(context, 'invitation.created', {
      targetUserId: null,
      invitationId: created.id,
      before: null,
      after: { email: created.email, role: created.role, status: 'pending' },
    });
    return copyInvitation(created);
  }

  /**
   * Revokes a pending invitation. Records `invitation.revoked`.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}, {@link ForbiddenError}; {@link InvitationNotFoundError}
   *   when there is no such invitation or it was already accepted or revoked;
   *   {@link InvitationExpiredError} when it has expired.
   */
  revokeInvitation(context: MutationContext, invitationId: string): Invitation {
    const actor = this.requireActiveMember(context.actorUserId);
    requireGrant(actor, 'invitations.revoke');
    const invitation = this.invitations.get(invitationId);
    if (invitation === undefined) throw new InvitationNotFoundError();
    const status = effectiveInvitationStatus(invitation, context.at);
    if (status === 'expired') throw new InvitationExpiredError();
    if (status !== 'pending') throw new InvitationNotFoundError();
    const revoked: Invitation = { ...invitation, status: 'revoked', closedAt: context.at };
    this.putInvitation(revoked);
    this.record(context, 'invitation.revoked', {
      targetUserId: null,
      invitationId,
      before: { status: 'pending' },
      after: { status: 'revoked' },
    });
    return copyInvitation(revoked);
  }

  /**
   * Resends a pending invitation with a new token: the new token's hash replaces the old one in this
   * same change (so the old link answers "no such invitation" from then on) and the expiry is
   * renewed to `renewal.expiresAt`. The invitation keeps its id, email, role, inviter and creation
   * time. Records `invitation.resent`. This is how an admin recovers an invitation whose link never
   * arrived (a lost delivery, or a commit whose answer was lost before the link was sent).
   *
   * Only a pending, unexpired invitation can be resent: an expired one is final like a revoked one
   * (refused with {@link InvitationExpiredError}); it no longer blocks its address, so the admin
   * invites again, which the pending cap then counts. Resending issues a link to accept, so it needs
   * what inviting needs: the `invitations.create` grant in an active organisation with invitations
   * enabled.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}, {@link ForbiddenError}; {@link InvitationsDisabledError};
   *   {@link InvitationNotFoundError} when there is no such invitation or it was accepted or revoked;
   *   {@link InvitationExpiredError} when it has expired.
   */
  resendInvitation(context: MutationContext, invitationId: string, renewal: InvitationRenewal): Invitation {
    const actor = this.requireActiveMember(context.actorUserId);
    requireGrant(actor, 'invitations.create');
    if (!this.profile.invitationsEnabled) throw new InvitationsDisabledError();
    const invitation = this.invitations.get(invitationId);
    if (invitation === undefined) throw new InvitationNotFoundError();
    const status = effectiveInvitationStatus(invitation, context.at);
    if (status === 'expired') throw new InvitationExpiredError();
    if (status !== 'pending') throw new InvitationNotFoundError();
    if (renewal.expiresAt.getTime() <= context.at.getTime()) throw new InvalidOrganisationStateError(this.id, 'invitation expiry is not in the future');
    if ([...this.invitations.values()].some((i) => i.tokenHash === renewal.tokenHash)) {
      throw new InvalidOrganisationStateError(this.id, 'invitation token hash reused');
    }
    const resent: Invitation = { ...invitation, tokenHash: renewal.tokenHash, expiresAt: renewal.expiresAt };
    this.putInvitation(resent);
    this.record(context, 'invitation.resent', {
      targetUserId: null,
      invitationId,
      before: null,
      after: { email: invitation.email, status: 'pending' },
    });
    return copyInvitation(resent);
  }

  /**
   * Moves another member between partner_admin and partner_user. Asking for the role they already
   * have changes nothing and records nothing. Otherwise records `member.role_changed`. A demoted
   * admin's pending invitations are revoked with the change (an invitation carries its inviter's
   * authority) and the event names them.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}; {@link SelfRoleChangeError} for the actor's own role;
   *   {@link MemberNotFoundError}; {@link LastAdminError} when it would demote the last
   *   partner_admin; {@link ForbiddenError} when the actor is not a partner_admin.
   */
  changeMemberRole(context: MutationContext, targetUserId: string, role: PartnerRole): Membership {
    const actor = this.requireActiveMember(context.actorUserId);
    if (targetUserId === actor.userId) throw new SelfRoleChangeError();
    const target = this.membershipOf(targetUserId);
    if (target === undefined) throw new MemberNotFoundError();
    if (managesTeam(target.role) && !managesTeam(role) && this.admins <= 1) {
      throw new LastAdminError(this.id);
    }
    requireGrant(actor, 'members.change_role');
    if (target.role === role) return target;
    const changed: Membership = { ...target, role };
    this.putMember(targetUserId, changed);
    const revoked = managesTeam(role) ? [] : this.revokeInvitationsOf(targetUserId, context.at);
    this.record(context, 'member.role_changed', {
      targetUserId,
      invitationId: null,
      before: { role: target.role },
      after: revoked.length === 0 ? { role } : { role, revokedInvitations: revoked },
    });
    return copyMembership(changed);
  }

  /**
   * Removes another member. Records `member.removed`; their pending invitations are revoked with it
   * and the event names them.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}; {@link SelfRemovalError}; {@link MemberNotFoundError};
   *   {@link LastAdminError} when it would remove the last partner_admin; {@link ForbiddenError}.
   */
  removeMember(context: MutationContext, targetUserId: string): Membership {
    const actor = this.requireActiveMember(context.actorUserId);
    if (targetUserId === actor.userId) throw new SelfRemovalError();
    const target = this.membershipOf(targetUserId);
    if (target === undefined) throw new MemberNotFoundError();
    if (managesTeam(target.role) && this.admins <= 1) throw new LastAdminError(this.id);
    requireGrant(actor, 'members.remove');
    this.putMember(targetUserId, null);
    const revoked = this.revokeInvitationsOf(targetUserId, context.at);
    this.record(context, 'member.removed', {
      targetUserId,
      invitationId: null,
      before: { role: target.role },
      after: revoked.length === 0 ? null : { revokedInvitations: revoked },
    });
    return target;
  }

  /**
   * Admits the signed-in user (the context's actor, whose membership must be loaded) through the
   * invitation whose token hashes to `acceptance.tokenHash`. Records `invitation.accepted`.
   *
   * @throws {@link InvitationNotFoundError} when no invitation has that token, or it was revoked or
   *   accepted by someone else; {@link InvitationEmailMismatchError} when the user's email differs;
   *   {@link AlreadyMemberError} when the user is already a member here;
   *   {@link InvitationExpiredError}; {@link PartnerBootstrapIncompleteError};
   *   {@link OrganisationNotActiveError}; {@link InvitationsDisabledError}. That the user belongs to no
   *   other organisation is the repository's to refuse, atomically, when it saves the change.
   */
  acceptInvitation(context: MutationContext, acceptance: InvitationAcceptance): Membership {
    const invitation = [...this.invitations.values()].find((i) => i.tokenHash === acceptance.tokenHash);
    if (invitation === undefined) throw new InvitationNotFoundError();
    if (invitation.email !== acceptance.email) throw new InvitationEmailMismatchError();
    if (this.membershipOf(context.actorUserId) !== undefined) throw new AlreadyMemberError();
    const status: InvitationStatus = effectiveInvitationStatus(invitation, context.at);
    if (status === 'accepted' || status === 'revoked') throw new InvitationNotFoundError();
    if (status === 'expired') throw new InvitationExpiredError();
    if (!this.profile.bootstrapped) throw new PartnerBootstrapIncompleteError();
    if (this.profile.status !== 'active') throw new OrganisationNotActiveError(this.profile.status);
    if (!this.profile.invitationsEnabled) throw new InvitationsDisabledError();
    const membership: Membership = { userId: context.actorUserId, role: invitation.role, joinedAt: context.at };
    this.putMember(membership.userId, membership);
    this.putInvitation({ ...invitation, status: 'accepted', closedAt: context.at, acceptedBy: context.actorUserId });
    this.record(context, 'invitation.accepted', {
      targetUserId: context.actorUserId,
      invitationId: invitation.id,
      before: { status: 'pending' },
      after: { status: 'accepted', role: invitation.role },
    });
    return copyMembership(membership);
  }


  // ---- AiDial support operations ---------------------------------------------------------------
  // Support acts whatever the organisation's status or bootstrap (it is the escalation path), with
  // one exception: an archived organisation accepts nothing new (members, admins, clients,
  // bootstrap, the invitations switch) until support changes its status; removing assignments and
  // status changes still work. Each command records exactly one audit event naming the operator and
  // their reason, or changes nothing and records nothing.

  /**
   * Completes partner bootstrap with `firstAdminUserId` as a partner_admin: a non-member joins as
   * one, a partner_user is promoted, a partner_admin stays one. Records `organisation.bootstrapped`.
   * That the new member belongs to no other organisation is the repository's to refuse, atomically.
   *
   * @throws {@link OrganisationArchivedError}; {@link AlreadyBootstrappedError} when bootstrap is
   *   already complete.
   */
  completeBootstrap(context: SupportContext, firstAdminUserId: string): Membership {
    this.requireNotArchived();
    if (this.profile.bootstrapped) throw new AlreadyBootstrappedError(this.id);
    const before = this.membershipOf(firstAdminUserId);
    const admin: Membership = before === undefined ? { userId: firstAdminUserId, role: 'partner_admin', joinedAt: context.at } : { ...before, role: 'partner_admin' };
    if (before === undefined || !managesTeam(before.role)) this.putMember(firstAdminUserId, admin);
    this.profile = { ...this.profile, bootstrapped: true };
    this.profileChanged = true;
    this.recordSupport(context, 'organisation.bootstrapped', {
      targetUserId: firstAdminUserId,
      invitationId: null,
      before: before === undefined ? { bootstrapped: false } : { bootstrapped: false, role: before.role },
      after: { bootstrapped: true, role: 'partner_admin' },
    });
    return copyMembership(admin);
  }

  /**
   * Sets the organisation's status (active, suspended or archived). The status it already has
   * changes nothing and records nothing (false); otherwise records `organisation.status_changed`.
   *
   * @throws {@link InvalidOrganisationStateError} for an unknown status.
   */
  changeStatus(context: SupportContext, status: OrganisationStatus): boolean {
    if (!isOrganisationStatus(status)) throw new InvalidOrganisationStateError(this.id, 'unknown status');
    const before = this.profile.status;
    if (before === status) return false;
    this.profile = { ...this.profile, status };
    this.profileChanged = true;
    this.recordSupport(context, 'organisation.status_changed', {
      targetUserId: null,
      invitationId: null,
      before: { organisationStatus: before },
      after: { organisationStatus: status },
    });
    return true;
  }

  /**
   * Turns invitation creation on or off. The setting it already has changes nothing and records
   * nothing (false); otherwise records `organisation.invitations_switched`.
   *
   * @throws {@link OrganisationArchivedError}.
   */
  switchInvitations(context: SupportContext, enabled: boolean): boolean {
    this.requireNotArchived();
    const before = this.profile.invitationsEnabled;
    if (before === enabled) return false;
    this.profile = { ...this.profile, invitationsEnabled: enabled };
    this.profileChanged = true;
    this.recordSupport(context, 'organisation.invitations_switched', {
      targetUserId: null,
      invitationId: null,
      before: { invitationsEnabled: before },
      after: { invitationsEnabled: enabled },
    });
    return true;
  }

  /**
   * Grants partner_admin to a member: the recovery path when no partner_admin can act, so it works
   * whatever the admin count. Records `member.admin_granted`.
   *
   * @throws {@link OrganisationArchivedError}; {@link MemberNotFoundError} for a non-member;
   *   {@link AlreadyPartnerAdminError} for a member who already is one.
   */
  grantPartnerAdmin(context: SupportContext, userId: string): Membership {
    this.requireNotArchived();
    const member = this.membershipOf(userId);
    if (member === undefined) throw new MemberNotFoundError('No such member in this organisation');
    if (managesTeam(member.role)) throw new AlreadyPartnerAdminError();
    const admin: Membership = { ...member, role: 'partner_admin' };
    this.putMember(userId, admin);
    this.recordSupport(context, 'member.admin_granted', {
      targetUserId: userId,
      invitationId: null,
      before: { role: member.role },
      after: { role: 'partner_admin' },
    });
    return copyMembership(admin);
  }

  /**
   * Makes a user a member again with `role` (a removed member, when the invitation flow is not
   * enough). Records `member.restored`. That they belong to no other organisation is the
   * repository's to refuse, atomically.
   *
   * @throws {@link OrganisationArchivedError}; {@link AlreadyMemberError} for a current member.
   */
  restoreMember(context: SupportContext, userId: string, role: PartnerRole): Membership {
    this.requireNotArchived();
    if (this.membershipOf(userId) !== undefined) throw new AlreadyMemberError();
    if (!isPartnerRole(role)) throw new InvalidOrganisationStateError(this.id, 'unknown role');
    const restored: Membership = { userId, role, joinedAt: context.at };
    this.putMember(userId, restored);
    this.recordSupport(context, 'member.restored', { targetUserId: userId, invitationId: null, before: null, after: { role } });
    return copyMembership(restored);
  }

  /**
   * Adds many members and pending invitations in one change (an import, a bulk restore). Records
   * one `members.imported` naming them. Invitations come from partner_admins of the organisation
   * (as it is after the import) and follow the invitation rules.
   *
   * @throws {@link OrganisationArchivedError}; {@link AlreadyMemberError} when a listed user or an
   *   invitee is a current member (or listed twice); {@link ForbiddenError} when an inviter is not a
   *   partner_admin; {@link InvitationPendingError} for an address with a pending invitation (or
   *   invited twice); {@link TooManyPendingInvitationsError} past the cap.
   */
  importMembers(context: SupportContext, members: readonly { readonly userId: string; readonly role: PartnerRole }[], invitations: readonly ImportedInvitation[]): void {
    this.requireNotArchived();
    for (const m of members) {
      if (this.membershipOf(m.userId) !== undefined) throw new AlreadyMemberError();
      if (!isPartnerRole(m.role)) throw new InvalidOrganisationStateError(this.id, 'unknown role');
      this.putMember(m.userId, { userId: m.userId, role: m.role, joinedAt: context.at });
    }
    let pending = this.pendingCount(context.at);
    for (const invitation of invitations) {
      const inviter = this.membershipOf(invitation.invitedBy);
      if (inviter === undefined || !managesTeam(inviter.role)) throw new ForbiddenError(`${invitation.invitedBy} is not a partner_admin of this organisation`);
      if (invitation.inviteeUserId !== null && this.membershipOf(invitation.inviteeUserId) !== undefined) throw new AlreadyMemberError();
      const samePending = [...this.invitations.values()].filter((i) => i.email === invitation.email && i.status === 'pending');
      if (samePending.some((i) => effectiveInvitationStatus(i, context.at) === 'pending')) throw new InvitationPendingError();
      if (pending >= maxPendingInvitations) throw new TooManyPendingInvitationsError(maxPendingInvitations);
      if (invitation.expiresAt.getTime() <= context.at.getTime()) throw new InvalidOrganisationStateError(this.id, 'invitation expiry is not in the future');
      if (this.invitations.has(invitation.invitationId)) throw new InvalidOrganisationStateError(this.id, 'invitation id reused');
      if ([...this.invitations.values()].some((i) => i.tokenHash === invitation.tokenHash)) throw new InvalidOrganisationStateError(this.id, 'invitation token hash reused');
      for (const stale of samePending) this.putInvitation({ ...stale, status: 'expired', closedAt: context.at });
      this.putInvitation({
        id: invitation.invitationId,
        email: invitation.email,
        role: invitation.role,
        status: 'pending',
        tokenHash: invitation.tokenHash,
        invitedBy: invitation.invitedBy,
        createdAt: context.at,
        expiresAt: invitation.expiresAt,
        closedAt: null,
        acceptedBy: null,
      });
      pending += 1;
    }
    this.recordSupport(context, 'members.imported', {
      targetUserId: null,
      invitationId: null,
      before: null,
      after: { members: members.map((m) => ({ userId: m.userId, role: m.role })), invitations: invitations.map((i) => i.invitationId) },
    });
  }

  /**
   * Assigns clients to members of this organisation (or renames an assignment). Assignments that
   * already exist with the same name change nothing; when nothing changes, nothing is recorded.
   * Otherwise records one `client.assigned` naming the assignments added. Returns them.
   *
   * @throws {@link OrganisationArchivedError}; {@link MemberNotFoundError} when an assignment names
   *   someone who is not a member of this organisation.
   */
  assignClients(context: SupportContext, assignments: readonly ClientAssignment[]): ClientAssignment[] {
    this.requireNotArchived();
    const added: ClientAssignment[] = [];
    for (const a of assignments) {
      if (this.membershipOf(a.userId) === undefined) throw new MemberNotFoundError(`${a.userId} is not a member of this organisation`);
      const clients = this.loadedAssignments(a.userId);
      if (clients.get(a.clientId) === a.name) continue;
      clients.set(a.clientId, a.name);
      this.changedAssignments.set(assignmentKey(a), { userId: a.userId, clientId: a.clientId, name: a.name });
      added.push({ userId: a.userId, clientId: a.clientId, name: a.name });
    }
    if (added.length === 0) return [];
    this.recordSupport(context, 'client.assigned', {
      targetUserId: soleUser(added),
      invitationId: null,
      before: null,
      after: { assignments: added },
    });
    return added;
  }

  /**
   * Removes client assignments (of members or not). Records one `client.unassigned` naming them.
   *
   * @throws {@link AssignmentNotFoundError} for an assignment that does not exist.
   */
  unassignClients(context: SupportContext, keys: readonly ClientAssignmentKey[]): ClientAssignment[] {
    const removed = keys.map((key) => this.removeAssignment(key));
    this.recordSupport(context, 'client.unassigned', {
      targetUserId: soleUser(removed),
      invitationId: null,
      before: { assignments: removed },
      after: null,
    });
    return removed;
  }

  /**
   * The loaded assignments that break "an assignment names a member of its organisation": those of
   * loaded users who are not members here.
   */
  brokenAssignments(): ClientAssignment[] {
    const broken: ClientAssignment[] = [];
    for (const [userId, clients] of this.assignments) {
      if (this.members.get(userId) !== null) continue;
      for (const [clientId, name] of clients) broken.push({ userId, clientId, name });
    }
    return broken.sort((a, b) => compareKeys(a, b));
  }

  /**
   * Removes every {@link brokenAssignments} entry. Records one `assignments.repaired` naming them;
   * when there are none, changes nothing and records nothing.
   */
  repairAssignments(context: SupportContext): ClientAssignment[] {
    const removed = this.brokenAssignments().map((a) => this.removeAssignment(a));
    if (removed.length === 0) return [];
    this.recordSupport(context, 'assignments.repaired', {
      targetUserId: soleUser(removed),
      invitationId: null,
      before: { assignments: removed },
      after: null,
    });
    return removed;
  }

  private removeAssignment(key: ClientAssignmentKey): ClientAssignment {
    const clients = this.loadedAssignments(key.userId);
    const name = clients.get(key.clientId);
    if (name === undefined) throw new AssignmentNotFoundError(key.userId, key.clientId);
    clients.delete(key.clientId);
    this.changedAssignments.set(assignmentKey(key), null);
    return { userId: key.userId, clientId: key.clientId, name };
  }

  private loadedAssignments(userId: string): Map<string, string> {
    const clients = this.assignments.get(userId);
    if (clients === undefined) throw new Error(`the assignments of ${userId} were not loaded`);
    return clients;
  }

  private requireNotArchived(): void {
    if (this.profile.status === 'archived') throw new OrganisationArchivedError(this.id);
  }

  /** How many invitations `pendingInvitations(now)` would list, without building and sorting the list. */
  private pendingCount(now: Date): number {
    let count = 0;
    for (const invitation of this.invitations.values()) if (effectiveInvitationStatus(invitation, now) === 'pending') count += 1;
    return count;
  }

  /** Revokes every pending invitation `inviterUserId` sent; returns their ids. */
  private revokeInvitationsOf(inviterUserId: string, at: Date): string[] {
    const revoked: string[] = [];
    for (const invitation of this.invitations.values()) {
      if (invitation.invitedBy !== inviterUserId || effectiveInvitationStatus(invitation, at) !== 'pending') continue;
      this.putInvitation({ ...invitation, status: 'revoked', closedAt: at });
      revoked.push(invitation.id);
    }
    return revoked.sort();
  }

  private requireMember(userId: string): Membership {
    const membership = this.membershipOf(userId);
    if (membership === undefined) throw new NotAPartnerMemberError();
    return membership;
  }

  private requireActiveMember(userId: string): Membership {
    const actor = this.authorizeRead(userId);
    if (this.profile.status !== 'active') throw new OrganisationNotActiveError(this.profile.status);
    return actor;
  }

  private putMember(userId: string, membership: Membership | null): void {
    const before = this.members.get(userId) ?? null;
    if (before !== null && managesTeam(before.role)) this.admins -= 1;
    if (membership !== null && managesTeam(membership.role)) this.admins += 1;
    this.members.set(userId, membership);
    this.changedMembers.set(userId, membership);
    // Stores drop a removed member's assignments with the change; the aggregate's view follows.
    if (membership === null) this.assignments.get(userId)?.clear();
    else if (!this.assignments.has(userId)) this.assignments.set(userId, new Map());
  }

  private putInvitation(invitation: Invitation): void {
    this.invitations.set(invitation.id, invitation);
    this.changedInvitations.set(invitation.id, invitation);
  }

  private pruneClosedInvitations(now: Date): void {
    const horizon = now.getTime() - closedInvitationRetentionMs;
    const closed: { id: string; at: number }[] = [];
    const prune = (id: string) => {
      this.invitations.delete(id);
      this.changedInvitations.set(id, null);
    };
    for (const [id, invitation] of this.invitations) {
      const closedAt = invitation.closedAt ?? (effectiveInvitationStatus(invitation, now) === 'expired' ? invitation.expiresAt : null);
      if (closedAt === null) continue;
      if (closedAt.getTime() < horizon) prune(id);
      else closed.push({ id, at: closedAt.getTime() });
    }
    if (closed.length > maxClosedInvitationsKept) {
      closed.sort((a, b) => b.at - a.at);
      for (const { id } of closed.slice(maxClosedInvitationsKept)) prune(id);
    }
  }

  private record(context: MutationContext, action: AuditAction, details: EventDetails): void {
    this.append({ kind: 'partner_member', id: context.actorUserId, reason: null }, context, action, details);
  }

  private recordSupport(context: SupportContext, action: AuditAction, details: EventDetails): void {
    this.append({ kind: 'support_operator', id: context.operatorId, reason: context.reason }, context, action, details);
  }

  private append(
    actor: { readonly kind: AuditActorKind; readonly id: string; readonly reason: string | null },
    context: { readonly at: Date; readonly eventId: string; readonly requestId: string | null },
    action: AuditAction,
    details: EventDetails,
  ): void {
    this.pruneClosedInvitations(context.at);
    this.recorded.push({
      id: context.eventId,
      organisationId: this.id,
      action,
      actorKind: actor.kind,
      actorUserId: actor.id,
      reason: actor.reason,
      targetUserId: details.targetUserId,
      invitationId: details.invitationId,
      before: details.before,
      after: details.after,
      at: context.at,
      requestId: context.requestId,
    });
  }
}

type EventDetails = Pick<AuditEvent, 'targetUserId' | 'invitationId'> & { before: AuditDetail | null; after: AuditDetail | null };

const assignmentKey = (key: ClientAssignmentKey): string => `${key.userId} ${key.clientId}`;

function assignmentKeyOf(key: string): ClientAssignmentKey {
  const space = key.indexOf(' ');
  return { userId: key.slice(0, space), clientId: key.slice(space + 1) };
}

function compareKeys(a: ClientAssignmentKey, b: ClientAssignmentKey): number {
  const x = assignmentKey(a);
  const y = assignmentKey(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The one user a list of assignments is about, or null when it names several. */
function soleUser(assignments: readonly ClientAssignmentKey[]): string | null {
  const users = new Set(assignments.map((a) => a.userId));
  return users.size === 1 ? (users.values().next().value ?? null) : null;
}

/** @throws {@link ForbiddenError} when the member's role does not grant `permission`. */
function requireGrant(actor: Membership, permission: Permission, refusal?: string): void {
  if (!roleAllows(actor.role, permission)) throw new ForbiddenError(refusal);
}

function checkedProfile(profile: OrganisationProfile): OrganisationProfile {
  const fail = (reason: string): never => {
    throw new InvalidOrganisationStateError(profile.id, reason);
  };
  if (!isIdentifier(profile.id)) fail('id is not an identifier');
  if (typeof profile.name !== 'string' || profile.name.trim() === '') fail('name is empty');
  if (!isOrganisationStatus(profile.status)) fail('unknown status');
  if (typeof profile.bootstrapped !== 'boolean' || typeof profile.invitationsEnabled !== 'boolean') fail('a flag is not a boolean');
  return {
    id: profile.id,
    name: profile.name,
    status: profile.status,
    bootstrapped: profile.bootstrapped,
    invitationsEnabled: profile.invitationsEnabled,
  };
}

function checkedInvitations(organisationId: string, list: readonly Invitation[]): Map<string, Invitation> {
  const fail = (reason: string): never => {
    throw new InvalidOrganisationStateError(organisationId, reason);
  };
  const invitations = new Map<string, Invitation>();
  const pendingEmails = new Set<string>();
  const tokenHashes = new Set<string>();
  for (const i of list) {
    if (invitations.has(i.id)) fail(`invitation ${i.id} appears twice`);
    if (tokenHashes.has(i.tokenHash)) fail(`invitation ${i.id} reuses a token hash`);
    if (i.status === 'pending') {
      if (pendingEmails.has(i.email)) fail(`two pending invitations for one email address`);
      pendingEmails.add(i.email);
    }
    tokenHashes.add(i.tokenHash);
    invitations.set(i.id, copyInvitation(i));
  }
  return invitations;
}

function copyMembership(m: Membership): Membership {
  return { userId: m.userId, role: m.role, joinedAt: new Date(m.joinedAt.getTime()) };
}

function copyInvitation(i: Invitation): Invitation {
  return {
    ...i,
    createdAt: new Date(i.createdAt.getTime()),
    expiresAt: new Date(i.expiresAt.getTime()),
    closedAt: i.closedAt === null ? null : new Date(i.closedAt.getTime()),
  };
}
