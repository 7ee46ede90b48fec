import type { MemberRoster, RosterEntry, RosterPage, RosterQuery } from '@partner-team/core';
import type { OrganisationLog } from './organisation-log.js';

/**
 * The roster from this process's view of the organisation (a sorted, searchable index kept up to
 * date entry by entry). A page confirms the view is the head unless this process did so within
 * `freshnessMs` — as the membership check of the same request just did — so a request reads the
 * store once.
 */
export class MongoMemberRoster implements MemberRoster {
  constructor(
    private readonly log: OrganisationLog,
    private readonly freshnessMs = 250,
  ) {}

  async page(organisationId: string, query: RosterQuery): Promise<RosterPage> {
    const view = await this.log.recent(organisationId, this.freshnessMs);
    if (view === undefined) return { items: [], total: 0, hasMore: false };
    const page = view.rosterPage(query);
    return {
      items: page.items.map(
        (e): RosterEntry => ({ ...e, lastActiveAt: e.lastActiveAt === null ? null : new Date(e.lastActiveAt.getTime()) }),
      ),
      total: page.total,
      hasMore: page.hasMore,
    };
  }
}
