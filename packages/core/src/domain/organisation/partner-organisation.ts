import type { AuditAction, AuditDetail, AuditEvent } from '../audit/audit-event.js';
import { effectiveInvitationStatus, type Invitation, type InvitationStatus } from '../invitation/invitation.js';
import type { Membership } from '../membership/membership.js';
import { isPartnerRole, type PartnerRole } from '../membership/partner-role.js';
import {
  AlreadyMemberError,
  ForbiddenError,
  InvitationEmailMismatchError,
  InvitationExpiredError,
  InvitationNotFoundError,
  InvitationPendingError,
  InvitationsDisabledError,
  LastAdminError,
  MemberNotFoundError,
  MemberOfAnotherOrganisationError,
  NotAPartnerMemberError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  SelfRemovalError,
  SelfRoleChangeError,
  TooManyPendingInvitationsError,
} from '../shared/errors.js';
import { isIdentifier } from '../shared/identifier.js';
import { isOrganisationStatus, type OrganisationProfile } from './organisation-status.js';

/** The persisted state of one partner organisation: profile, memberships and invitations. */
export interface OrganisationState extends OrganisationProfile {
  readonly memberships: readonly Membership[];
  readonly invitations: readonly Invitation[];
}

/** Who acts, when, and under which ids the resulting audit event is recorded. */
export interface MutationContext {
  readonly actorUserId: string;
  readonly at: Date;
  /** Id for the audit event this mutation records. */
  readonly eventId: string;
  readonly requestId: string | null;
}

/** What {@link PartnerOrganisation.inviteUser} needs beyond the context. */
export interface NewInvitation {
  readonly invitationId: string;
  /** Normalised email address. */
  readonly email: string;
  readonly role: PartnerRole;
  readonly tokenHash: string;
  readonly expiresAt: Date;
  /** The invitee's user id when the directory knows the address, else null. */
  readonly inviteeUserId: string | null;
}

/** What {@link PartnerOrganisation.acceptInvitation} needs beyond the context. */
export interface InvitationAcceptance {
  readonly tokenHash: string;
  /** The signed-in user's normalised email address. */
  readonly email: string;
  /** The partner organisation the user already belongs to, if any. */
  readonly currentOrganisationId: string | null;
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
/** Most pending invitations an organisation may have: keeps every state (and MongoDB document) bounded. */
export const maxPendingInvitations = 200;
/** Most closed invitations kept (newest first) within the retention period. */
export const maxClosedInvitationsKept = 200;

/**
 * The PartnerOrganisation aggregate: a partner organisation, its memberships and its invitations,
 * with every rule of the partner-team surface. Commands validate, change the aggregate and record
 * exactly one audit event; a refused command throws a {@link DomainError} subclass and changes
 * nothing.
 *
 * Refusal precedence for management commands: not a member → bootstrap pending → organisation not
 * active → the command's own rules (self action, unknown target, last admin) → role. The role check
 * comes after the target rules because those only describe state every member can already read, and
 * it lets the loser of a race between two admins learn the rule that protected the team.
 */
export class PartnerOrganisation {
  private readonly members: Map<string, Membership>;
  private readonly invitations: Map<string, Invitation>;
  private recorded: AuditEvent[] = [];

  private constructor(
    private readonly profile: OrganisationProfile,
    members: Map<string, Membership>,
    invitations: Map<string, Invitation>,
  ) {
    this.members = members;
    this.invitations = invitations;
  }

  /**
   * Rebuilds the aggregate from persisted state, copying it (the aggregate never aliases the input).
   *
   * @throws {@link InvalidOrganisationStateError} when the state breaks an invariant: duplicate
   *   members or invitations, unknown roles or statuses, two pending invitations for one email, or a
   *   bootstrapped organisation without a partner_admin.
   */
  static fromState(state: OrganisationState): PartnerOrganisation {
    const fail = (reason: string): never => {
      throw new InvalidOrganisationStateError(state.id, reason);
    };
    if (!isIdentifier(state.id)) fail('id is not an identifier');
    if (typeof state.name !== 'string' || state.name.trim() === '') fail('name is empty');
    if (!isOrganisationStatus(state.status)) fail('unknown status');
    const members = new Map<string, Membership>();
    for (const m of state.memberships) {
      if (!isIdentifier(m.userId)) fail('a membership has an invalid user id');
      if (!isPartnerRole(m.role)) fail(`membership ${m.userId} has an unknown role`);
      if (members.has(m.userId)) fail(`user ${m.userId} is a member twice`);
      members.set(m.userId, { userId: m.userId, role: m.role, joinedAt: new Date(m.joinedAt.getTime()) });
    }
    const invitations = new Map<string, Invitation>();
    const pendingEmails = new Set<string>();
    const tokenHashes = new Set<string>();
    for (const i of state.invitations) {
      if (invitations.has(i.id)) fail(`invitation ${i.id} appears twice`);
      if (tokenHashes.has(i.tokenHash)) fail(`invitation ${i.id} reuses a token hash`);
      if (i.status === 'pending') {
        if (pendingEmails.has(i.email)) fail(`two pending invitations for one email address`);
        pendingEmails.add(i.email);
      }
      tokenHashes.add(i.tokenHash);
      invitations.set(i.id, copyInvitation(i));
    }
    const organisation = new PartnerOrganisation(
      {
        id: state.id,
        name: state.name,
        status: state.status,
        bootstrapped: state.bootstrapped,
        invitationsEnabled: state.invitationsEnabled,
      },
      members,
      invitations,
    );
    if (state.bootstrapped && organisation.adminCount() === 0) fail('a bootstrapped organisation has no partner_admin');
    return organisation;
  }

  /** A deep copy of the current state, for persistence. */
  toState(): OrganisationState {
    return {
      ...this.profile,
      memberships: [...this.members.values()].map((m) => ({ ...m, joinedAt: new Date(m.joinedAt.getTime()) })),
      invitations: [...this.invitations.values()].map(copyInvitation),
    };
  }

  get id(): string {
    return this.profile.id;
  }

  /** Name, status, bootstrap and invitation flags. */
  getProfile(): OrganisationProfile {
    return { ...this.profile };
  }

  /** The membership of `userId`, if current. */
  membershipOf(userId: string): Membership | undefined {
    return this.members.get(userId);
  }

  /** Number of current members. */
  memberCount(): number {
    return this.members.size;
  }

  /** Number of members with the partner_admin role. */
  adminCount(): number {
    let count = 0;
    for (const m of this.members.values()) if (m.role === 'partner_admin') count += 1;
    return count;
  }

  /** The invitation with this id, whatever its status. */
  invitation(invitationId: string): Invitation | undefined {
    return this.invitations.get(invitationId);
  }

  /** Invitations that are pending and unexpired at `now`, from a current partner_admin, newest first. */
  pendingInvitations(now: Date): Invitation[] {
    return [...this.invitations.values()]
      .filter((i) => this.statusOf(i, now) === 'pending')
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? -1 : 1));
  }

  /** Audit events recorded since the last call, in order; the caller persists them with the state. */
  pullAuditEvents(): AuditEvent[] {
    const events = this.recorded;
    this.recorded = [];
    return events;
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
   * Checks that `actorUserId` may manage this team right now (member, bootstrapped, active,
   * partner_admin) and returns their membership. Useful before a management read such as the
   * pending invitations.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError} or {@link ForbiddenError}.
   */
  authorizeManagement(actorUserId: string): Membership {
    const actor = this.requireActiveMember(actorUserId);
    requireAdmin(actor);
    return actor;
  }

  /**
   * Invites an email address to join with `role`. Any stale (expired) pending invitation for the
   * same address is marked expired. Records `invitation.created`.
   *
   * @throws the {@link authorizeManagement} errors; {@link InvitationsDisabledError};
   *   {@link AlreadyMemberError} when the invitee is a current member; {@link InvitationPendingError}
   *   when a pending unexpired invitation for the address exists.
   */
  inviteUser(context: MutationContext, invitation: NewInvitation): Invitation {
    this.authorizeManagement(context.actorUserId);
    if (!this.profile.invitationsEnabled) throw new InvitationsDisabledError();
    if (invitation.inviteeUserId !== null && this.members.has(invitation.inviteeUserId)) throw new AlreadyMemberError();
    const samePending = [...this.invitations.values()].filter((i) => i.email === invitation.email && i.status === 'pending');
    if (samePending.some((i) => this.statusOf(i, context.at) === 'pending')) throw new InvitationPendingError();
    if (this.pendingCount(context.at) >= maxPendingInvitations) throw new TooManyPendingInvitationsError(maxPendingInvitations);
    if (invitation.expiresAt.getTime() <= context.at.getTime()) throw new InvalidOrganisationStateError(this.id, 'invitation expiry is not in the future');
    if (this.invitations.has(invitation.invitationId)) throw new InvalidOrganisationStateError(this.id, 'invitation id reused');
    if ([...this.invitations.values()].some((i) => i.tokenHash === invitation.tokenHash)) {
      throw new InvalidOrganisationStateError(this.id, 'invitation token hash reused');
    }
    for (const stale of samePending) {
      this.invitations.set(stale.id, { ...stale, status: this.statusOf(stale, context.at), closedAt: context.at });
    }
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
    this.invitations.set(created.id, created);
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
   * @throws the {@link authorizeManagement} errors; {@link InvitationNotFoundError} when there is no
   *   such invitation or it was already accepted or revoked; {@link InvitationExpiredError} when it
   *   has expired.
   */
  revokeInvitation(context: MutationContext, invitationId: string): Invitation {
    this.authorizeManagement(context.actorUserId);
    const invitation = this.invitations.get(invitationId);
    if (invitation === undefined) throw new InvitationNotFoundError();
    const status = this.statusOf(invitation, context.at);
    if (status === 'expired') throw new InvitationExpiredError();
    if (status !== 'pending') throw new InvitationNotFoundError();
    const revoked: Invitation = { ...invitation, status: 'revoked', closedAt: context.at };
    this.invitations.set(invitationId, revoked);
    this.record(context, 'invitation.revoked', {
      targetUserId: null,
      invitationId,
      before: { status: 'pending' },
      after: { status: 'revoked' },
    });
    return copyInvitation(revoked);
  }

  /**
   * Moves another member between partner_admin and partner_user. Asking for the role they already
   * have changes nothing and records nothing. Otherwise records `member.role_changed`.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}; {@link SelfRoleChangeError} for the actor's own role;
   *   {@link MemberNotFoundError}; {@link LastAdminError} when it would demote the last
   *   partner_admin; {@link ForbiddenError} when the actor is not a partner_admin.
   */
  changeMemberRole(context: MutationContext, targetUserId: string, role: PartnerRole): Membership {
    const actor = this.requireActiveMember(context.actorUserId);
    if (targetUserId === actor.userId) throw new SelfRoleChangeError();
    const target = this.members.get(targetUserId);
    if (target === undefined) throw new MemberNotFoundError();
    if (target.role === 'partner_admin' && role !== 'partner_admin' && this.adminCount() <= 1) {
      throw new LastAdminError(this.id);
    }
    requireAdmin(actor);
    if (target.role === role) return { ...target };
    const changed: Membership = { ...target, role };
    this.members.set(targetUserId, changed);
    this.record(context, 'member.role_changed', {
      targetUserId,
      invitationId: null,
      before: { role: target.role },
      after: { role },
    });
    return { ...changed };
  }

  /**
   * Removes another member. Records `member.removed`.
   *
   * @throws {@link NotAPartnerMemberError}, {@link PartnerBootstrapIncompleteError},
   *   {@link OrganisationNotActiveError}; {@link SelfRemovalError}; {@link MemberNotFoundError};
   *   {@link LastAdminError} when it would remove the last partner_admin; {@link ForbiddenError}.
   */
  removeMember(context: MutationContext, targetUserId: string): Membership {
    const actor = this.requireActiveMember(context.actorUserId);
    if (targetUserId === actor.userId) throw new SelfRemovalError();
    const target = this.members.get(targetUserId);
    if (target === undefined) throw new MemberNotFoundError();
    if (target.role === 'partner_admin' && this.adminCount() <= 1) throw new LastAdminError(this.id);
    requireAdmin(actor);
    this.members.delete(targetUserId);
    this.record(context, 'member.removed', {
      targetUserId,
      invitationId: null,
      before: { role: target.role },
      after: null,
    });
    return { ...target };
  }

  /**
   * Admits the signed-in user (the context's actor) through the invitation whose token hashes to
   * `acceptance.tokenHash`. Records `invitation.accepted`.
   *
   * @throws {@link InvitationNotFoundError} when no invitation has that token, or it was revoked or
   *   accepted by someone else; {@link InvitationEmailMismatchError} when the user's email differs;
   *   {@link AlreadyMemberError} when the user is already a member here;
   *   {@link InvitationExpiredError}; {@link PartnerBootstrapIncompleteError};
   *   {@link OrganisationNotActiveError}; {@link InvitationsDisabledError};
   *   {@link MemberOfAnotherOrganisationError} when the user belongs to another organisation.
   */
  acceptInvitation(context: MutationContext, acceptance: InvitationAcceptance): Membership {
    const invitation = [...this.invitations.values()].find((i) => i.tokenHash === acceptance.tokenHash);
    if (invitation === undefined) throw new InvitationNotFoundError();
    if (invitation.email !== acceptance.email) throw new InvitationEmailMismatchError();
    if (this.members.has(context.actorUserId)) throw new AlreadyMemberError();
    const status = this.statusOf(invitation, context.at);
    if (status === 'accepted' || status === 'revoked') throw new InvitationNotFoundError();
    if (status === 'expired') throw new InvitationExpiredError();
    if (!this.profile.bootstrapped) throw new PartnerBootstrapIncompleteError();
    if (this.profile.status !== 'active') throw new OrganisationNotActiveError(this.profile.status);
    if (!this.profile.invitationsEnabled) throw new InvitationsDisabledError();
    if (acceptance.currentOrganisationId !== null && acceptance.currentOrganisationId !== this.id) {
      throw new MemberOfAnotherOrganisationError();
    }
    const membership: Membership = { userId: context.actorUserId, role: invitation.role, joinedAt: context.at };
    this.members.set(membership.userId, membership);
    this.invitations.set(invitation.id, {
      ...invitation,
      status: 'accepted',
      closedAt: context.at,
      acceptedBy: context.actorUserId,
    });
    this.record(context, 'invitation.accepted', {
      targetUserId: context.actorUserId,
      invitationId: invitation.id,
      before: { status: 'pending' },
      after: { status: 'accepted', role: invitation.role },
    });
    return { ...membership };
  }

  /** How many invitations `pendingInvitations(now)` would list, without building and sorting the list. */
  private pendingCount(now: Date): number {
    let count = 0;
    for (const invitation of this.invitations.values()) if (this.statusOf(invitation, now) === 'pending') count += 1;
    return count;
  }

  /**
   * The status of an invitation at `now`: its effective status, except that a pending invitation
   * whose inviter is no longer a partner_admin here counts as revoked. An invitation carries its
   * inviter's authority; an admin who is removed or demoted cannot come back (or bring anyone in)
   * through invitations they sent before.
   */
  private statusOf(invitation: Invitation, now: Date): InvitationStatus {
    const status = effectiveInvitationStatus(invitation, now);
    if (status === 'pending' && this.members.get(invitation.invitedBy)?.role !== 'partner_admin') return 'revoked';
    return status;
  }

  private requireMember(userId: string): Membership {
    const membership = this.members.get(userId);
    if (membership === undefined) throw new NotAPartnerMemberError();
    return membership;
  }

  private requireActiveMember(userId: string): Membership {
    const actor = this.authorizeRead(userId);
    if (this.profile.status !== 'active') throw new OrganisationNotActiveError(this.profile.status);
    return actor;
  }

  private pruneClosedInvitations(now: Date): void {
    const horizon = now.getTime() - closedInvitationRetentionMs;
    const closed: { id: string; at: number }[] = [];
    for (const [id, invitation] of this.invitations) {
      const closedAt = invitation.closedAt ?? (effectiveInvitationStatus(invitation, now) === 'expired' ? invitation.expiresAt : null);
      if (closedAt === null) continue;
      if (closedAt.getTime() < horizon) this.invitations.delete(id);
      else closed.push({ id, at: closedAt.getTime() });
    }
    if (closed.length > maxClosedInvitationsKept) {
      closed.sort((a, b) => b.at - a.at);
      for (const { id } of closed.slice(maxClosedInvitationsKept)) this.invitations.delete(id);
    }
  }

  private record(
    context: MutationContext,
    action: AuditAction,
    details: Pick<AuditEvent, 'targetUserId' | 'invitationId'> & { before: AuditDetail | null; after: AuditDetail | null },
  ): void {
    this.pruneClosedInvitations(context.at);
    this.recorded.push({
      id: context.eventId,
      organisationId: this.id,
      action,
      actorUserId: context.actorUserId,
      targetUserId: details.targetUserId,
      invitationId: details.invitationId,
      before: details.before,
      after: details.after,
      at: context.at,
      requestId: context.requestId,
    });
  }
}

function requireAdmin(actor: Membership): void {
  if (actor.role !== 'partner_admin') throw new ForbiddenError();
}

function copyInvitation(i: Invitation): Invitation {
  return {
    ...i,
    createdAt: new Date(i.createdAt.getTime()),
    expiresAt: new Date(i.expiresAt.getTime()),
    closedAt: i.closedAt === null ? null : new Date(i.closedAt.getTime()),
  };
}
