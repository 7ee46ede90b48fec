import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateActorOrganisation } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * A partner_admin removes another member of their organisation.
 *
 * @throws `ValidationError` for a malformed id and every error of `PartnerOrganisation.removeMember`.
 */
export class RemoveMember {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'clock' | 'ids'>,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: Actor & { readonly targetUserId: string }): Promise<void> {
    const targetUserId = parseIdentifier(input.targetUserId, 'userId');
    await mutateActorOrganisation(this.ports, this.retry, input, [targetUserId], (organisation, context) => {
      organisation.removeMember(context, targetUserId);
    });
  }
}
