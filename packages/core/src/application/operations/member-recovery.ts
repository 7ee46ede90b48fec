import type { Membership } from '../../domain/membership/membership.js';
import type { PartnerRole } from '../../domain/membership/partner-role.js';
import { UserNotFoundError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateOrganisation } from '../organisation-mutation.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import { checkSupportActor, type SupportActor } from './support-actor.js';
import { parseRole } from './support-input.js';

type Ports = Pick<PartnerTeamPorts, 'organisations' | 'users' | 'clock' | 'ids'>;

/**
 * AiDial support grants partner_admin to a member: the last-admin recovery, for an organisation
 * whose partner_admins can no longer act. Works whatever the admin count. Records
 * `member.admin_granted`. The partner surface's rules are unchanged: it still never lets anyone
 * remove or demote the last partner_admin.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`; `OrganisationArchivedError`;
 *   `MemberNotFoundError` for a non-member; `AlreadyPartnerAdminError`.
 */
export class GrantPartnerAdmin {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly userId: string }): Promise<Membership> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const userId = parseIdentifier(input.userId, 'userId');
    return mutateOrganisation(this.ports, this.retry, operator, organisationId, [userId], (organisation, context) => organisation.grantPartnerAdmin(context, userId));
  }
}

/**
 * AiDial support makes a removed member (any directory user) a member again with `role`, when the
 * invitation flow is not enough. Records `member.restored`. A user still belongs to at most one
 * partner organisation.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`; `UserNotFoundError`;
 *   `OrganisationArchivedError`; `AlreadyMemberError`; `MemberOfAnotherOrganisationError`.
 */
export class RestoreMember {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly userId: string; readonly role: PartnerRole }): Promise<Membership> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const userId = parseIdentifier(input.userId, 'userId');
    const role = parseRole(input.role, 'role');
    if ((await this.ports.users.findById(userId)) === undefined) throw new UserNotFoundError(userId);
    return mutateOrganisation(this.ports, this.retry, operator, organisationId, [userId], (organisation, context) => organisation.restoreMember(context, userId, role));
  }
}
