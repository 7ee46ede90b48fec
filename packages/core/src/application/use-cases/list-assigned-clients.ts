import { ForbiddenError, MemberNotFoundError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import { authorizeTeamRead } from '../authorization.js';
import type { AssignedClient } from '../ports/client-assignments.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/**
 * The clients a member may support. partner_users may ask only about themselves; partner_admins
 * about any current member of their own organisation. Assignments are read within the actor's
 * organisation only, so an assignment recorded under another organisation never shows.
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`; `ForbiddenError` when a
 *   partner_user asks about someone else; `MemberNotFoundError` when the target is not a current
 *   member of the actor's organisation.
 */
export class ListAssignedClients {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'clients'>) {}

  async execute(input: Actor & { readonly targetUserId: string }): Promise<{ items: AssignedClient[] }> {
    const { organisation, membership } = await authorizeTeamRead(this.ports.memberships, input.actorUserId);
    const targetUserId = parseIdentifier(input.targetUserId, 'userId');
    if (targetUserId !== membership.userId) {
      if (membership.role !== 'partner_admin') throw new ForbiddenError('partner_users can only see their own clients');
      if (!(await this.ports.memberships.isMember(organisation.id, targetUserId))) throw new MemberNotFoundError();
    }
    return { items: await this.ports.clients.assignedTo(organisation.id, targetUserId) };
  }
}
