import { isPartnerRole, type PartnerRole } from '../../domain/membership/partner-role.js';
import { normaliseEmail } from '../../domain/shared/email-address.js';
import { ValidationError } from '../../domain/shared/errors.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateActorOrganisation } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';
import { deliverInvitation, invitationMessage, type InvitationDelivery } from '../ports/invitation-notifier.js';
import { viewInvitation, type InvitationView } from './invitation-view.js';

/** An invitation just issued (or reissued), and what became of its message. */
export interface IssuedInvitation extends InvitationView {
  readonly delivery: InvitationDelivery;
}

export const defaultInvitationTtlMs = 7 * 24 * 60 * 60 * 1000;

type InvitePorts = Pick<
  PartnerTeamPorts,
  'organisations' | 'users' | 'clock' | 'ids' | 'tokens' | 'notifier' | 'logger'
>;

/**
 * A partner_admin invites an email address with a role. The token is issued here, only its hash is
 * stored, and the raw token goes to the notifier alone. A delivery failure is logged (without the
 * token) and does not undo the invitation: the answer says `delivery: 'failed'` and the admin can
 * resend it (a new link, the old one dead). The message names the inviter as the directory knows them.
 *
 * @throws `ValidationError` for a malformed email or role, and every error of
 *   `PartnerOrganisation.inviteUser`.
 */
export class InviteUser {
  constructor(
    private readonly ports: InvitePorts,
    private readonly retry: RetryPolicy,
    private readonly ttlMs: number = defaultInvitationTtlMs,
  ) {}

  async execute(input: Actor & { readonly email: string; readonly role: PartnerRole }): Promise<IssuedInvitation> {
    const email = normaliseEmail(input.email);
    if (!isPartnerRole(input.role)) {
      throw new ValidationError('role must be partner_admin or partner_user', [{ path: 'role', message: 'unknown role' }]);
    }
    const [invitee, inviter] = await Promise.all([this.ports.users.findByEmail(email), this.ports.users.findById(input.actorUserId)]);
    const { token, hash } = this.ports.tokens.issue();
    const invitationId = this.ports.ids.next('invitation');
    const { invitation, organisation } = await mutateActorOrganisation(this.ports, this.retry, input, invitee === undefined ? [] : [invitee.id], (organisation, context) => ({
      invitation: organisation.inviteUser(context, {
        invitationId,
        email,
        role: input.role,
        tokenHash: hash,
        expiresAt: new Date(context.at.getTime() + this.ttlMs),
        inviteeUserId: invitee?.id ?? null,
      }),
      organisation: organisation.getProfile(),
    }));
    const delivery = await deliverInvitation(this.ports.notifier, this.ports.logger, invitationMessage(organisation, invitation, token, inviter?.name ?? null));
    return { ...viewInvitation(invitation), delivery };
  }
}
