import { NotAPartnerMemberError, PartnerBootstrapIncompleteError } from '../domain/shared/errors.js';
import { parseIdentifier } from '../domain/shared/identifier.js';
import type { MemberContext, MembershipLookup } from './ports/membership-lookup.js';

/**
 * The actor's membership, provided they may read their team.
 *
 * @throws `ValidationError` for a malformed actor id, and what {@link requireTeamReader} throws.
 */
export async function authorizeTeamRead(memberships: MembershipLookup, actorUserId: string): Promise<MemberContext> {
  return requireTeamReader(await memberships.findByUser(parseIdentifier(actorUserId, 'actorUserId')));
}

/**
 * A looked-up membership, provided it lets its user read their team.
 *
 * @throws {@link NotAPartnerMemberError} without a membership, {@link PartnerBootstrapIncompleteError}
 *   while bootstrap is pending.
 */
export function requireTeamReader<C extends MemberContext>(context: C | undefined): C {
  if (context === undefined) throw new NotAPartnerMemberError();
  if (!context.organisation.bootstrapped) throw new PartnerBootstrapIncompleteError();
  return context;
}
