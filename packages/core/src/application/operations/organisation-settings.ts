import type { Membership } from '../../domain/membership/membership.js';
import { isOrganisationStatus, type OrganisationProfile, type OrganisationStatus } from '../../domain/organisation/organisation-status.js';
import { UserNotFoundError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { RetryPolicy } from '../conflict-retry.js';
import { mutateOrganisation } from '../organisation-mutation.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import { checkSupportActor, type SupportActor } from './support-actor.js';
import { invalid, parseBoolean } from './support-input.js';

type Ports = Pick<PartnerTeamPorts, 'organisations' | 'users' | 'clock' | 'ids'>;

/** An organisation after a support operation, and whether the operation changed it. */
export interface OrganisationOutcome {
  readonly organisation: OrganisationProfile;
  readonly changed: boolean;
}

/**
 * AiDial support completes partner bootstrap, making `userId` (a directory user) the organisation's
 * first partner_admin. Records `organisation.bootstrapped`. The partner surface then serves the
 * team to its members.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`; `UserNotFoundError` for a user the
 *   directory does not know; `OrganisationArchivedError`; `AlreadyBootstrappedError`;
 *   `MemberOfAnotherOrganisationError` when the user belongs to another organisation.
 */
export class CompleteBootstrap {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly userId: string }): Promise<{ organisation: OrganisationProfile; admin: Membership }> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const userId = parseIdentifier(input.userId, 'userId');
    if ((await this.ports.users.findById(userId)) === undefined) throw new UserNotFoundError(userId);
    return mutateOrganisation(this.ports, this.retry, operator, organisationId, [userId], (organisation, context) => {
      const admin = organisation.completeBootstrap(context, userId);
      return { organisation: organisation.getProfile(), admin };
    });
  }
}

/**
 * AiDial support sets an organisation's status: `suspended` and `archived` block partner
 * management (reads still work), `active` restores it. Setting the current status changes nothing
 * and records nothing; otherwise records `organisation.status_changed`.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`.
 */
export class ChangeOrganisationStatus {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly status: OrganisationStatus }): Promise<OrganisationOutcome> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    if (!isOrganisationStatus(input.status)) throw invalid('status', 'must be active, suspended or archived');
    const status = input.status;
    return mutateOrganisation(this.ports, this.retry, operator, organisationId, [], (organisation, context) => {
      const changed = organisation.changeStatus(context, status);
      return { organisation: organisation.getProfile(), changed };
    });
  }
}

/**
 * AiDial support turns the organisation's invitations on or off. The current setting changes
 * nothing and records nothing; otherwise records `organisation.invitations_switched`.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`; `OrganisationArchivedError`.
 */
export class SwitchInvitations {
  constructor(
    private readonly ports: Ports,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly enabled: boolean }): Promise<OrganisationOutcome> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const enabled = parseBoolean(input.enabled, 'enabled');
    return mutateOrganisation(this.ports, this.retry, operator, organisationId, [], (organisation, context) => {
      const changed = organisation.switchInvitations(context, enabled);
      return { organisation: organisation.getProfile(), changed };
    });
  }
}
