import type { RosterEntry, RosterQuery } from '../../domain/roster/roster-query.js';

/** One page of the roster. */
export interface RosterPage {
  readonly items: readonly RosterEntry[];
  /** Members matching the search term (all members without one). */
  readonly total: number;
  /** Whether rows follow the last item. */
  readonly hasMore: boolean;
}

/**
 * The searchable, sortable member list of one organisation. Implementations must return exactly
 * what `referenceRosterPage` returns for the organisation's members.
 */
export interface MemberRoster {
  /**
   * @param knownMemberCount the organisation's current number of members when the caller already
   *   read it (see `MemberContext.memberCount`): an unsearched page may then report it as its total
   *   instead of counting.
   */
  page(organisationId: string, query: RosterQuery, knownMemberCount?: number): Promise<RosterPage>;
}
