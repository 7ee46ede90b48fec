import { PartnerOrganisation } from '../../domain/organisation/partner-organisation.js';
import { NotAPartnerMemberError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';
import { viewInvitation, type InvitationView } from './invitation-view.js';

/**
 * Pending, unexpired invitations of the actor's organisation, newest first. Needs
 * `invitations.view` (partner_admins; also while the organisation is suspended or archived: reads
 * still work).
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`, `ForbiddenError`.
 */
export class ListPendingInvitations {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'clock'>) {}

  async execute(actor: Actor): Promise<{ items: InvitationView[] }> {
    const actorUserId = parseIdentifier(actor.actorUserId, 'actorUserId');
    const record = await this.ports.organisations.loadForMember(actorUserId);
    if (record === undefined) throw new NotAPartnerMemberError();
    const organisation = PartnerOrganisation.fromRecord(record);
    organisation.authorizeReadOf(actorUserId, 'invitations.view', 'Only partner_admins can see invitations');
    return { items: organisation.pendingInvitations(this.ports.clock.now()).map(viewInvitation) };
  }
}
