import type { Invitation } from '../../domain/invitation/invitation.js';
import type { PartnerRole } from '../../domain/membership/partner-role.js';

/** An invitation as admins see it: never the token or its hash. */
export interface InvitationView {
  readonly id: string;
  readonly email: string;
  readonly role: PartnerRole;
  readonly invitedBy: string;
  readonly createdAt: Date;
  readonly expiresAt: Date;
}

export function viewInvitation(invitation: Invitation): InvitationView {
  return {
    id: invitation.id,
    email: invitation.email,
    role: invitation.role,
    invitedBy: invitation.invitedBy,
    createdAt: invitation.createdAt,
    expiresAt: invitation.expiresAt,
  };
}
