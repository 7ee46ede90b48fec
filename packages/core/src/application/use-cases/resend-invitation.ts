import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateActorOrganisation } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';
import { deliverInvitation, invitationMessage } from '../ports/invitation-notifier.js';
import { defaultInvitationTtlMs, type IssuedInvitation } from './invite-user.js';
import { viewInvitation } from './invitation-view.js';

/**
 * A partner_admin resends a pending invitation of their own organisation: a new token (only its
 * hash is stored, replacing the old one, which stops working), the expiry renewed from now, one
 * `invitation.resent` event. The new token goes to the notifier after the save, naming the invitation's inviter (who does not change); a delivery failure is logged
 * (without the token) and does not undo the resend: the answer says `delivery: 'failed'` and the admin
 * can resend again. An
 * invitation id of another organisation is answered exactly like a missing one.
 *
 * @throws `ValidationError` for a malformed id, and every error of
 *   `PartnerOrganisation.resendInvitation`.
 */
export class ResendInvitation {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'users' | 'clock' | 'ids' | 'tokens' | 'notifier' | 'logger'>,
    private readonly retry: RetryPolicy,
    private readonly ttlMs: number = defaultInvitationTtlMs,
  ) {}

  async execute(input: Actor & { readonly invitationId: string }): Promise<IssuedInvitation> {
    const invitationId = parseIdentifier(input.invitationId, 'invitationId');
    const { token, hash } = this.ports.tokens.issue();
    const { invitation, organisation } = await mutateActorOrganisation(this.ports, this.retry, input, [], (organisation, context) => ({
      invitation: organisation.resendInvitation(context, invitationId, { tokenHash: hash, expiresAt: new Date(context.at.getTime() + this.ttlMs) }),
      organisation: organisation.getProfile(),
    }));
    const inviter = await this.ports.users.findById(invitation.invitedBy);
    const delivery = await deliverInvitation(this.ports.notifier, this.ports.logger, invitationMessage(organisation, invitation, token, inviter?.name ?? null));
    return { ...viewInvitation(invitation), delivery };
  }
}
