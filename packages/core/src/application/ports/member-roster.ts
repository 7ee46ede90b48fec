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
 * what `referenceRosterPage` (`@partner-team/core/roster`) returns for the organisation's members.
 */
export interface MemberRoster {
  /** A page of the organisation's members, and how many match the query's term. */
  page(organisationId: string, query: RosterQuery): Promise<RosterPage>;
}
