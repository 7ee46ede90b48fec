import { isPartnerRole, type PartnerRole } from '../../domain/membership/partner-role.js';
import { ValidationError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import type { MemberDetails } from '../member-view.js';
import { mutateActorOrganisation } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * A partner_admin moves another member of their organisation between partner_admin and
 * partner_user. Returns the member as an admin sees them.
 *
 * @throws `ValidationError` for a malformed id or role, and every error of
 *   `PartnerOrganisation.changeMemberRole`.
 */
export class ChangeMemberRole {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'users' | 'clock' | 'ids'>,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: Actor & { readonly targetUserId: string; readonly role: PartnerRole }): Promise<MemberDetails> {
    const targetUserId = parseIdentifier(input.targetUserId, 'userId');
    if (!isPartnerRole(input.role)) {
      throw new ValidationError('role must be partner_admin or partner_user', [{ path: 'role', message: 'unknown role' }]);
    }
    // The profile does not depend on the change: fetch it alongside.
    const [membership, user] = await Promise.all([
      mutateActorOrganisation(this.ports, this.retry, input, [targetUserId], (organisation, context) =>
        organisation.changeMemberRole(context, targetUserId, input.role),
      ),
      this.ports.users.findById(targetUserId),
    ]);
    return {
      userId: targetUserId,
      name: user?.name ?? '',
      email: user?.email ?? '',
      role: membership.role,
      mfaEnabled: user?.mfaEnabled ?? false,
      lastActiveAt: user?.lastActiveAt ?? null,
    };
  }
}
