import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateActorOrganisation } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * A partner_admin revokes a pending invitation of their own organisation. An invitation id of
 * another organisation is answered exactly like a missing one.
 *
 * @throws `ValidationError` for a malformed id and every error of
 *   `PartnerOrganisation.revokeInvitation`.
 */
export class RevokeInvitation {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'clock' | 'ids'>,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: Actor & { readonly invitationId: string }): Promise<void> {
    const invitationId = parseIdentifier(input.invitationId, 'invitationId');
    await mutateActorOrganisation(this.ports, this.retry, input, [], (organisation, context) => {
      organisation.revokeInvitation(context, invitationId);
    });
  }
}
