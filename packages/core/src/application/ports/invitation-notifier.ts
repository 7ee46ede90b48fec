import type { Invitation } from '../../domain/invitation/invitation.js';
import type { PartnerRole } from '../../domain/membership/partner-role.js';

/** What the invitee needs to accept; `token` is the only place the raw token travels. */
export interface InvitationMessage {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly invitationId: string;
  readonly email: string;
  readonly role: PartnerRole;
  readonly token: string;
  readonly expiresAt: Date;
  readonly invitedBy: string;
}

/** The message that delivers `invitation` of `organisation` with its raw `token`. */
export function invitationMessage(
  organisation: { readonly id: string; readonly name: string },
  invitation: Pick<Invitation, 'id' | 'email' | 'role' | 'expiresAt' | 'invitedBy'>,
  token: string,
): InvitationMessage {
  return {
    organisationId: organisation.id,
    organisationName: organisation.name,
    invitationId: invitation.id,
    email: invitation.email,
    role: invitation.role,
    token,
    expiresAt: invitation.expiresAt,
    invitedBy: invitation.invitedBy,
  };
}

/** Delivers the accept link to the invitee (mail, outbox, log…). */
export interface InvitationNotifier {
  deliver(message: InvitationMessage): Promise<void>;
}
