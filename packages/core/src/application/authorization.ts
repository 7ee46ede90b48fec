import { NotAPartnerMemberError, PartnerBootstrapIncompleteError } from '../domain/shared/errors.js';
import { parseIdentifier } from '../domain/shared/identifier.js';
import type { MemberContext, MembershipLookup } from './ports/membership-lookup.js';

/**
 * The actor's membership, provided they may read their team (a member of a bootstrapped
 * organisation). The one membership read of a read request.
 *
 * @throws `ValidationError` for a malformed actor id; {@link NotAPartnerMemberError} without a
 *   membership; {@link PartnerBootstrapIncompleteError} while bootstrap is pending.
 */
export async function authorizeTeamRead(memberships: MembershipLookup, actorUserId: string): Promise<MemberContext> {
  const context = await memberships.findByUser(parseIdentifier(actorUserId, 'actorUserId'));
  if (context === undefined) throw new NotAPartnerMemberError();
  if (!context.organisation.bootstrapped) throw new PartnerBootstrapIncompleteError();
  return context;
}
