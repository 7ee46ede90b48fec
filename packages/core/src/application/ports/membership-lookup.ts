import type { Membership } from '../../domain/membership/membership.js';
import type { OrganisationProfile } from '../../domain/organisation/organisation-status.js';

/** A user's current membership and the profile of its organisation. */
export interface MemberContext {
  readonly organisation: OrganisationProfile;
  readonly membership: Membership;
  /**
   * How many current members the organisation has, read together with the membership, when the
   * store can tell without extra work (an unsearched roster page then need not count). Omitted
   * otherwise.
   */
  readonly memberCount?: number;
}

/** A membership together with whether a teammate belongs to the same organisation. */
export interface MemberContextWithTeammate extends MemberContext {
  /** Whether the teammate is a current member of `organisation`, decided on the same read. */
  readonly teammateIsMember: boolean;
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

  /**
   * {@link findByUser}, plus whether `teammateId` is a current member of the same organisation —
   * both decided on one read of the organisation's current state (a store answers it in one
   * round trip where two separate checks would take two).
   */
  findWithTeammate(userId: string, teammateId: string): Promise<MemberContextWithTeammate | undefined>;
}
