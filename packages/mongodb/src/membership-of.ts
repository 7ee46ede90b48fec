import type { MembershipClaims } from './membership-claims.js';
import type { OrganisationLog } from './organisation-log.js';
import type { OrganisationView } from './organisation-view.js';

/**
 * The confirmed view of the organisation `userId` is a member of, or undefined. The claim (cached,
 * else its pointer) names the candidate and that organisation's confirmed head decides: a claim
 * never grants anything by itself, so a stale claim can only make the answer "not a member" — and
 * before answering that, the claim is read again, past its pointer.
 */
export async function organisationOfMember(claims: MembershipClaims, log: OrganisationLog, userId: string): Promise<OrganisationView | undefined> {
  const { claim } = await claims.latestCached(userId);
  const view = claim === undefined ? undefined : await log.current(claim.o);
  if (view?.isMember(userId) === true) return view;
  const fresh = await claims.latest(userId);
  if (fresh === undefined || fresh.o === claim?.o) return undefined;
  const other = await log.current(fresh.o);
  return other?.isMember(userId) === true ? other : undefined;
}
