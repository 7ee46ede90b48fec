import type { PartnerRole } from '../../domain/membership/partner-role.js';
import type { OrganisationProfile } from '../../domain/organisation/organisation-status.js';
import { permissionsFor, type Permission } from '../../domain/organisation/permissions.js';
import { NotAPartnerMemberError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/** The signed-in member, their organisation, role and current permissions. */
export interface MyContext {
  readonly user: { readonly id: string; readonly name: string; readonly email: string };
  readonly organisation: OrganisationProfile;
  readonly role: PartnerRole;
  readonly permissions: readonly Permission[];
}

/**
 * Who am I on the partner-team surface. Answers while bootstrap is pending (with no permissions) so
 * that a page can explain why it cannot load.
 *
 * @throws `NotAPartnerMemberError` when the user has no partner membership.
 */
export class GetMyContext {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'users' | 'logger'>) {}

  async execute(actor: Actor): Promise<MyContext> {
    const userId = parseIdentifier(actor.actorUserId, 'actorUserId');
    const [member, user] = await Promise.all([
      this.ports.memberships.findByUser(userId),
      this.ports.users.findById(userId),
    ]);
    if (member === undefined) throw new NotAPartnerMemberError();
    if (user === undefined) this.ports.logger.warn('member missing from the user directory', { userId });
    return {
      user: { id: userId, name: user?.name ?? '', email: user?.email ?? '' },
      organisation: member.organisation,
      role: member.membership.role,
      permissions: permissionsFor(member.membership.role, member.organisation),
    };
  }
}
