import type { Membership } from '../../domain/membership/membership.js';
import type { OrganisationProfile } from '../../domain/organisation/organisation-status.js';

/** A user's current membership and the profile of its organisation. */
export interface MemberContext {
  readonly organisation: OrganisationProfile;
  readonly membership: Membership;
}

/**
 * Finds the partner organisation a user belongs to (a user belongs to at most one). Reads are
 * authorised from it; mutations use it only to find the organisation and then re-check membership
 * on the loaded aggregate, so a lagging lookup can never authorise a change.
 */
export interface MembershipLookup {
  /** The user's current membership, checked against the organisation's current state. */
  findByUser(userId: string): Promise<MemberContext | undefined>;

  /**
   * The organisation the user most likely belongs to, without checking it: mutations use it only to
   * know which aggregate to load, and the aggregate then decides whether the user is a member.
   * Cheaper than {@link findByUser} where the store can answer it from one lookup.
   */
  findOrganisationId(userId: string): Promise<string | undefined>;

  /** Whether `userId` is a current member of `organisationId` (checked against its current state). */
  isMember(organisationId: string, userId: string): Promise<boolean>;
}
