import type { InvitationStatus } from '../invitation/invitation.js';
import type { PartnerRole } from '../membership/partner-role.js';
import type { OrganisationStatus } from '../organisation/organisation-status.js';

/** The audited actions: the partner surface's, then the support operations'. */
export const auditActions = [
  'invitation.created',
  'invitation.revoked',
  'invitation.resent',
  'invitation.accepted',
  'member.role_changed',
  'member.removed',
  'organisation.provisioned',
  'organisation.bootstrapped',
  'organisation.status_changed',
  'organisation.invitations_switched',
  'member.admin_granted',
  'member.restored',
  'members.imported',
  'client.assigned',
  'client.unassigned',
  'assignments.repaired',
  'assignments.reported',
  'organisation.inspected',
  'audit.searched',
  'users.upserted',
] as const;

/** See {@link auditActions}. */
export type AuditAction = (typeof auditActions)[number];

/** Who acted: a member of the organisation on the partner surface, or an AiDial support operator. */
export const auditActorKinds = ['partner_member', 'support_operator'] as const;

/** See {@link auditActorKinds}. */
export type AuditActorKind = (typeof auditActorKinds)[number];

/** The filters an audit search used (recorded by `audit.searched`). */
export interface AuditSearchFilters {
  readonly organisationId?: string | null;
  readonly actorUserId?: string;
  readonly targetUserId?: string;
  readonly action?: AuditAction;
  /** ISO 8601 instants. */
  readonly from?: string;
  readonly to?: string;
}

/** What changed, before or after the action. Every field is optional; each action uses a few. */
export interface AuditDetail {
  readonly role?: PartnerRole;
  readonly status?: InvitationStatus;
  readonly email?: string;
  /** Pending invitations the change closed with it (an admin demoted or removed takes their invitations along). */
  readonly revokedInvitations?: readonly string[];
  /** The organisation's name (provisioning). */
  readonly name?: string;
  readonly organisationStatus?: OrganisationStatus;
  readonly bootstrapped?: boolean;
  readonly invitationsEnabled?: boolean;
  /** Members added in bulk (an import), with their roles. */
  readonly members?: readonly { readonly userId: string; readonly role: PartnerRole }[];
  /** Invitations created with a change (an import). */
  readonly invitations?: readonly string[];
  /** Client assignments added (with the client's name) or removed. */
  readonly assignments?: readonly { readonly userId: string; readonly clientId: string; readonly name?: string }[];
  /** Directory users added or changed. */
  readonly users?: readonly string[];
  /** The organisation a support read looked at (its event belongs to no organisation). */
  readonly organisationId?: string;
  /** The filters of an audit search. */
  readonly filters?: AuditSearchFilters;
  /** How many items a support read returned. */
  readonly count?: number;
}

/**
 * One audited action. Exactly one is recorded per successful mutation, none for a refused one, and
 * an organisation's events are persisted atomically with the state they describe. Support
 * operations record one too, naming the operator and their reason; so do support reads, which
 * belong to no organisation.
 */
export interface AuditEvent {
  readonly id: string;
  /** The organisation acted on; null for events that belong to none (directory changes, support reads). */
  readonly organisationId: string | null;
  readonly action: AuditAction;
  readonly actorKind: AuditActorKind;
  /**
   * Who acted: the partner member's user id, or the support operator's id (an AiDial identity,
   * never a partner member).
   */
  readonly actorUserId: string;
  /** Why a support operator acted (required of them); null for partner members. */
  readonly reason: string | null;
  /** The member acted upon (for `invitation.accepted`, the new member); null for the other invitation events. */
  readonly targetUserId: string | null;
  readonly invitationId: string | null;
  readonly before: AuditDetail | null;
  readonly after: AuditDetail | null;
  readonly at: Date;
  readonly requestId: string | null;
}
