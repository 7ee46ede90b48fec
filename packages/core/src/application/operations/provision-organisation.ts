import type { OrganisationProfile } from '../../domain/organisation/organisation-status.js';
import { PartnerOrganisation } from '../../domain/organisation/partner-organisation.js';
import { OrganisationExistsError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import { retryOnConflict, type RetryPolicy } from '../conflict-retry.js';
import { saveDecision } from '../organisation-mutation.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import { checkSupportActor, supportContext, type SupportActor } from './support-actor.js';
import { parseBoolean, parseName } from './support-input.js';

/**
 * AiDial support provisions a partner organisation: active, bootstrap pending (its team surface
 * answers only `GET /me` until bootstrap completes), no members yet. Records
 * `organisation.provisioned`.
 *
 * @throws `ValidationError` for a malformed id, name, flag, operator id or reason;
 *   `OrganisationExistsError` when the id is taken.
 */
export class ProvisionOrganisation {
  constructor(
    private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'clock' | 'ids'>,
    private readonly retry: RetryPolicy,
  ) {}

  async execute(input: SupportActor & { readonly organisationId: string; readonly name: string; readonly invitationsEnabled?: boolean }): Promise<OrganisationProfile> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const name = parseName(input.name, 'name');
    const invitationsEnabled = input.invitationsEnabled === undefined ? true : parseBoolean(input.invitationsEnabled, 'invitationsEnabled');
    return retryOnConflict(this.retry, async () => {
      // A second provisioning of one id loses at the save (version 0 exists) and lands here on retry.
      if ((await this.ports.organisations.load(organisationId)) !== undefined) throw new OrganisationExistsError(organisationId);
      const organisation = PartnerOrganisation.provision(supportContext(this.ports, operator), { id: organisationId, name, invitationsEnabled });
      return saveDecision(this.ports, organisation, 0, (o) => o.getProfile());
    });
  }
}
