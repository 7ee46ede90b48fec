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
  NotAPartnerMemberError,
  OrganisationNotActiveError,
  PartnerBootstrapIncompleteError,
  SelfRemovalError,
  SelfRoleChangeError,
  TooManyPendingInvitationsError,
} from '../shared/errors.js';
import { isIdentifier } from '../shared/identifier.js';
import type { OrganisationChange, OrganisationRecord, OrganisationState } from './organisation-record.js';
import { isOrganisationStatus, type OrganisationProfile } from './organisation-status.js';
import { managesTeam, roleAllows, type Permission } from './permissions.js';

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
    return new PartnerOrganisation(profile, record.adminCount, members, checkedInvitations(profile.id, record.invitations), false);
  }

  /**
   * A new organisation holding the whole `state` (seeding, provisioning); {@link pullChange} then
   * returns the change that creates it.
   *
   * @throws {@link InvalidOrganisationStateError} as {@link fromRecord} does, and for a member listed twice.
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
    const organisation = new PartnerOrganisation(profile, admins, members, checkedInvitations(profile.id, state.invitations), true);
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
    if (!this.profileChanged && this.changedMembers.size === 0 && this.changedInvitations.size === 0 && this.recorded.length === 0) {
      return undefined;
    }
    const change: OrganisationChange = {
      organisationId: this.profile.id,
      profile: this.profileChanged ? { ...this.profile } : null,
      upsertedMembers: [...this.changedMembers.values()].filter((m): m is Membership => m !== null).map(copyMembership),
      removedMembers: [...this.changedMembers].filter(([, m]) => m === null).map(([userId]) => userId),
      upsertedInvitations: [...this.changedInvitations.values()].filter((i): i is Invitation => i !== null).map(copyInvitation),
      removedInvitations: [...this.changedInvitations].filter(([, i]) => i === null).map(([id]) => id),
      events: this.recorded,
    };
    this.profileChanged = false;
    this.changedMembers.clear();
    this.changedInvitations.clear();
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
    const membership = this.members.get(userId);
    if (membership === undefined || membership === null) throw new NotAPartnerMemberError();
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
