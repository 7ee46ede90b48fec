import type { Invitation } from '../../domain/invitation/invitation.js';
import type { PartnerRole } from '../../domain/membership/partner-role.js';
import type { Logger } from './logger.js';

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
  /** The inviter's display name from the directory; null when the directory does not know them. */
  readonly inviterName: string | null;
}

/** The message that delivers `invitation` of `organisation` with its raw `token`. */
export function invitationMessage(
  organisation: { readonly id: string; readonly name: string },
  invitation: Pick<Invitation, 'id' | 'email' | 'role' | 'expiresAt' | 'invitedBy'>,
  token: string,
  inviterName: string | null = null,
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
    inviterName,
  };
}

/**
 * What became of an invitation's message: `sent` (a mail server accepted it), `queued` (written
 * where something else delivers it: an outbox, a log), `failed` (not delivered; the invitation
 * exists all the same and can be resent).
 */
export type InvitationDelivery = 'sent' | 'queued' | 'failed';

/** Delivers the accept link to the invitee (mail, outbox, log…). */
export interface InvitationNotifier {
  /** Resolves once delivered (see {@link InvitationNotifier.outcome}); rejects when delivery failed. */
  deliver(message: InvitationMessage): Promise<void>;
  /** What a resolved `deliver` means: `sent` (the default) or `queued` for a later delivery by others. */
  readonly outcome?: 'sent' | 'queued';
}

/**
 * Delivers `message` through `notifier` and says how it went. Never throws: a failure is logged
 * (the invitation id and the error's name and code, never the token) and answered `failed`, so
 * that the invitation the caller just saved stands and the admin can resend it.
 */
export async function deliverInvitation(
  notifier: InvitationNotifier,
  logger: Logger,
  message: InvitationMessage,
): Promise<InvitationDelivery> {
  try {
    await notifier.deliver(message);
    return notifier.outcome ?? 'sent';
  } catch (error: unknown) {
    const code = typeof error === 'object' && error !== null && typeof (error as { code?: unknown }).code === 'string' ? (error as { code: string }).code : undefined;
    logger.error('invitation delivery failed', {
      invitationId: message.invitationId,
      error: error instanceof Error ? error.name : 'unknown',
      ...(code === undefined ? {} : { code }),
    });
    return 'failed';
  }
}
