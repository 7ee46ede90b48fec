import type { PartnerRole } from '../membership/partner-role.js';

/** Lifecycle of an invitation; `accepted`, `revoked` and `expired` are final. */
export const invitationStatuses = ['pending', 'accepted', 'revoked', 'expired'] as const;

/** See {@link invitationStatuses}. */
export type InvitationStatus = (typeof invitationStatuses)[number];

/**
 * An invitation as persisted. `status` is the stored status: a stored `pending` invitation whose
 * `expiresAt` has passed is expired (see {@link effectiveInvitationStatus}). Only the hash of the
 * token is ever kept.
 */
export interface Invitation {
  readonly id: string;
  /** Normalised (see `normaliseEmail`). */
  readonly email: string;
  readonly role: PartnerRole;
  readonly status: InvitationStatus;
  /** Hash of the accept token, as produced by the `InvitationTokens` port. */
  readonly tokenHash: string;
  readonly invitedBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
  /** When it was accepted, revoked or marked expired; null while pending. */
  readonly closedAt: Date | null;
  /** The user who accepted it; null otherwise. */
  readonly acceptedBy: string | null;
}

/** The status of `invitation` at `now`: a pending invitation past its expiry is `expired`. */
export function effectiveInvitationStatus(invitation: Invitation, now: Date): InvitationStatus {
  if (invitation.status === 'pending' && invitation.expiresAt.getTime() <= now.getTime()) {
    return 'expired';
  }
  return invitation.status;
}
