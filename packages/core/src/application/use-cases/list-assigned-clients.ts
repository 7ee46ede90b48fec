import { ForbiddenError, MemberNotFoundError } from '../../domain/shared/errors.js';
import { isIdentifier, parseIdentifier } from '../../domain/shared/identifier.js';
import { authorizeTeamRead, requireTeamReader } from '../authorization.js';
import type { AssignedClient } from '../ports/client-assignments.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * The clients a member may support. partner_users may ask only about themselves; partner_admins
 * about any current member of their own organisation. Assignments are read within the actor's
 * organisation only, so an assignment recorded under another organisation never shows.
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`; `ValidationError` for a
 *   malformed target id; `ForbiddenError` when a partner_user asks about someone else;
 *   `MemberNotFoundError` when the target is not a current member of the actor's organisation.
 */
export class ListAssignedClients {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'clients'>) {}

  async execute(input: Actor & { readonly targetUserId: string }): Promise<{ items: AssignedClient[] }> {
    const actorUserId = parseIdentifier(input.actorUserId, 'actorUserId');
    if (!isIdentifier(input.targetUserId) || input.targetUserId === actorUserId) {
      // Membership is checked before the target is judged, so a non-member learns nothing more.
      const { organisation } = await authorizeTeamRead(this.ports.memberships, actorUserId);
      const self = parseIdentifier(input.targetUserId, 'userId');
      return { items: await this.ports.clients.assignedTo(organisation.id, self) };
    }
    // The actor's membership and the target's, on one read of the organisation.
    const context = requireTeamReader(await this.ports.memberships.findWithTeammate(actorUserId, input.targetUserId));
    if (context.membership.role !== 'partner_admin') throw new ForbiddenError('partner_users can only see their own clients');
    if (!context.teammateIsMember) throw new MemberNotFoundError();
    return { items: await this.ports.clients.assignedTo(context.organisation.id, input.targetUserId) };
  }
}
