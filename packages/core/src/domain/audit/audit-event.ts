import type { InvitationStatus } from '../invitation/invitation.js';
import type { PartnerRole } from '../membership/partner-role.js';

/** The audited partner-team actions. */
export const auditActions = [
  'invitation.created',
  'invitation.revoked',
  'invitation.resent',
  'invitation.accepted',
  'member.role_changed',
  'member.removed',
] as const;

/** See {@link auditActions}. */
export type AuditAction = (typeof auditActions)[number];

/** What changed, before or after the action. */
export interface AuditDetail {
  readonly role?: PartnerRole;
  readonly status?: InvitationStatus;
  readonly email?: string;
  /** Pending invitations the change closed with it (an admin demoted or removed takes their invitations along). */
  readonly revokedInvitations?: readonly string[];
}

/**
 * One audited mutation. Exactly one is recorded per successful mutation, none for a refused one, and
 * it is persisted atomically with the state it describes.
 */
export interface AuditEvent {
  readonly id: string;
  readonly organisationId: string;
  readonly action: AuditAction;
  readonly actorUserId: string;
  /** The member acted upon (for `invitation.accepted`, the new member); null for the other invitation events. */
  readonly targetUserId: string | null;
  readonly invitationId: string | null;
  readonly before: AuditDetail | null;
  readonly after: AuditDetail | null;
  readonly at: Date;
  readonly requestId: string | null;
}
