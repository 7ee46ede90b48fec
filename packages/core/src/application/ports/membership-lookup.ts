import type { Membership } from '../../domain/membership/membership.js';
import type { OrganisationProfile } from '../../domain/organisation/organisation-status.js';

/** A user's current membership and the profile of its organisation. */
export interface MemberContext {
  readonly organisation: OrganisationProfile;
  readonly membership: Membership;
}

/**
 * The reads' question: which partner organisation does this user belong to now, and with which role
 * (a user belongs to at most one). Answers are checked against the organisation's current state.
 */
export interface MembershipLookup {
  /** The user's current membership and its organisation's profile; undefined when they belong to none. */
  findByUser(userId: string): Promise<MemberContext | undefined>;
}
