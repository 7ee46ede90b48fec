import { PartnerOrganisation } from '../../domain/organisation/partner-organisation.js';
import { ForbiddenError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import { loadActorOrganisation } from '../organisation-mutation.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';
import { viewInvitation, type InvitationView } from './invitation-view.js';

/**
 * Pending, unexpired invitations of the actor's organisation, newest first. partner_admins only
 * (also while the organisation is suspended or archived: reads still work).
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`, `ForbiddenError`.
 */
export class ListPendingInvitations {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'organisations' | 'clock'>) {}

  async execute(actor: Actor): Promise<{ items: InvitationView[] }> {
    const loaded = await loadActorOrganisation(this.ports, parseIdentifier(actor.actorUserId, 'actorUserId'));
    const aggregate = PartnerOrganisation.fromState(loaded.state);
    const membership = aggregate.authorizeRead(actor.actorUserId);
    if (membership.role !== 'partner_admin') throw new ForbiddenError('Only partner_admins can see invitations');
    return { items: aggregate.pendingInvitations(this.ports.clock.now()).map(viewInvitation) };
  }
}
