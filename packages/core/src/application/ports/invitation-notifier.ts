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

/** Delivers the accept link to the invitee (mail, outbox, log…). */
export interface InvitationNotifier {
  deliver(message: InvitationMessage): Promise<void>;
}
