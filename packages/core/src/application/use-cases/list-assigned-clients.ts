import { PartnerOrganisation } from '../../domain/organisation/partner-organisation.js';
import { MemberNotFoundError, NotAPartnerMemberError } from '../../domain/shared/errors.js';
import { isIdentifier, parseIdentifier } from '../../domain/shared/identifier.js';
import { authorizeTeamRead } from '../authorization.js';
import type { AssignedClient } from '../ports/client-assignments.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * The clients a member may support. Every member may ask about themselves (`clients.view_own`);
 * asking about another current member of the organisation needs `clients.view_any`
 * (partner_admins). Assignments are read within the actor's organisation only, so an assignment
 * recorded under another organisation never shows.
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`; `ValidationError` for a
 *   malformed target id; `ForbiddenError` when a partner_user asks about someone else;
 *   `MemberNotFoundError` when the target is not a current member of the actor's organisation.
 */
export class ListAssignedClients {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'organisations' | 'clients'>) {}

  async execute(input: Actor & { readonly targetUserId: string }): Promise<{ items: AssignedClient[] }> {
    const actorUserId = parseIdentifier(input.actorUserId, 'actorUserId');
    if (!isIdentifier(input.targetUserId) || input.targetUserId === actorUserId) {
      // Membership is checked before the target is judged, so a non-member learns nothing more.
      const { organisation } = await authorizeTeamRead(this.ports.memberships, actorUserId);
      const self = parseIdentifier(input.targetUserId, 'userId');
      return { items: await this.ports.clients.assignedTo(organisation.id, self) };
    }
    // The actor's membership and the target's, from one load of the actor's organisation.
    const record = await this.ports.organisations.loadForMember(actorUserId, [input.targetUserId]);
    if (record === undefined) throw new NotAPartnerMemberError();
    const organisation = PartnerOrganisation.fromRecord(record);
    organisation.authorizeReadOf(actorUserId, 'clients.view_any', 'partner_users can only see their own clients');
    if (organisation.membershipOf(input.targetUserId) === undefined) throw new MemberNotFoundError();
    return { items: await this.ports.clients.assignedTo(organisation.id, input.targetUserId) };
  }
}
