import {
  encodeRosterCursor,
  parseRosterQuery,
  rosterPosition,
  type RosterQueryInput,
} from '../../domain/roster/roster-query.js';
import { authorizeTeamRead } from '../authorization.js';
import { viewMember, type MemberView } from '../member-view.js';
import type { Actor, PartnerTeamPorts } from '../partner-team-ports.js';

/** A page of members as the viewer may see them. */
export interface MemberList {
  readonly items: readonly MemberView[];
  /** Opaque; pass it back as `cursor` for the next page. Null on the last page. */
  readonly nextCursor: string | null;
  /** Members matching the search (all members without one). */
  readonly total: number;
}

/**
 * The roster of the actor's organisation: search on name and email (case-insensitive), sort by
 * name, email, role or last activity (admins only), keyset pagination with the user id as the
 * final tie-breaker. partner_users see name, email and role; partner_admins also MFA status and
 * last activity.
 *
 * @throws `NotAPartnerMemberError`, `PartnerBootstrapIncompleteError`, `ValidationError` for a bad
 *   query or cursor, `ForbiddenError` when a partner_user sorts by last activity.
 */
export class ListMembers {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'memberships' | 'roster'>) {}

  async execute(actor: Actor & RosterQueryInput): Promise<MemberList> {
    const { organisation, membership } = await authorizeTeamRead(this.ports.memberships, actor.actorUserId);
    const query = parseRosterQuery(actor, membership.role);
    const page = await this.ports.roster.page(organisation.id, query);
    const last = page.items.at(-1);
    return {
      items: page.items.map((entry) => viewMember(entry, membership.role)),
      nextCursor: page.hasMore && last !== undefined ? encodeRosterCursor(query, rosterPosition(last, query.sort)) : null,
      total: page.total,
    };
  }
}
