import { auditActions, type AuditAction, type AuditEvent, type AuditSearchFilters } from '../../domain/audit/audit-event.js';
import type { OrganisationProfile } from '../../domain/organisation/organisation-status.js';
import { decodeJsonCursor, encodeBase64Url } from '../../domain/shared/base64url.js';
import { OrganisationNotFoundError } from '../../domain/shared/errors.js';
import { parseIdentifier } from '../../domain/shared/identifier.js';
import {
  encodeRosterCursor,
  parseRosterQuery,
  rosterPosition,
  type RosterEntry,
  type RosterQueryInput,
} from '../../domain/roster/roster-query.js';
import type { PartnerTeamPorts } from '../partner-team-ports.js';
import type { AuditSearchPosition, AuditSearchQuery } from '../ports/audit-log.js';
import { defaultAuditPageSize, maxAuditPageSize } from '../use-cases/list-audit-events.js';
import { checkSupportActor, recordUnscoped, type SupportActor } from './support-actor.js';
import { invalid, parseInstant } from './support-input.js';

/** An organisation as support sees it: profile, admin count and a page of its roster. */
export interface OrganisationInspection {
  readonly organisation: OrganisationProfile;
  readonly adminCount: number;
  readonly members: { readonly items: readonly RosterEntry[]; readonly nextCursor: string | null; readonly total: number };
}

/**
 * AiDial support looks at an organisation: its profile, how many partner_admins it has, and its
 * roster (searchable and sortable as an admin sees it; by role by default, so admins come first).
 * A read of another organisation's data: records one `organisation.inspected` event, which belongs
 * to no organisation.
 *
 * @throws `ValidationError`; `OrganisationNotFoundError`.
 */
export class InspectOrganisation {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'organisations' | 'roster' | 'auditLog' | 'clock' | 'ids'>) {}

  async execute(input: SupportActor & { readonly organisationId: string } & RosterQueryInput): Promise<OrganisationInspection> {
    const operator = checkSupportActor(input);
    const organisationId = parseIdentifier(input.organisationId, 'organisationId');
    const query = parseRosterQuery({ ...input, sort: input.sort ?? 'role' }, 'partner_admin');
    const record = await this.ports.organisations.load(organisationId);
    if (record === undefined) throw new OrganisationNotFoundError(organisationId);
    const page = await this.ports.roster.page(organisationId, query);
    const last = page.items.at(-1);
    await recordUnscoped(this.ports, operator, 'organisation.inspected', { after: { organisationId } });
    return {
      organisation: { ...record.profile },
      adminCount: record.adminCount,
      members: {
        items: page.items,
        nextCursor: page.hasMore && last !== undefined ? encodeRosterCursor(query, rosterPosition(last, query.sort)) : null,
        total: page.total,
      },
    };
  }
}

/** What an audit search may filter on (all optional, combined with "and"). */
export interface AuditSearchInput {
  /** An organisation's events; `null`: only events that belong to no organisation. */
  readonly organisationId?: string | null | undefined;
  readonly actorUserId?: string | undefined;
  readonly targetUserId?: string | undefined;
  readonly action?: AuditAction | undefined;
  /** At or after. */
  readonly from?: Date | undefined;
  /** Strictly before. */
  readonly to?: Date | undefined;
  readonly limit?: number | undefined;
  readonly cursor?: string | undefined;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function decodeSearchCursor(cursor: string): AuditSearchPosition {
  const body = decodeJsonCursor(cursor, 512) as { v?: unknown; o?: unknown; k?: unknown } | undefined;
  if (body?.v !== 1 || typeof body.o !== 'number' || !Number.isSafeInteger(body.o) || typeof body.k !== 'string' || body.k.length > 256) {
    throw invalid('cursor', 'is not a cursor this server issued');
  }
  return { order: body.o, key: body.k };
}

/**
 * AiDial support searches the one audit log across organisations (both surfaces' events, and those
 * that belong to no organisation), newest first, by organisation, actor, target, action and time
 * range, paginated. Records one `audit.searched` event (belonging to no organisation) naming the
 * filters, after the search, so that it is not among its own results.
 *
 * @throws `ValidationError` for a malformed filter, limit or cursor.
 */
export class SearchAuditEvents {
  constructor(private readonly ports: Pick<PartnerTeamPorts, 'auditLog' | 'clock' | 'ids'>) {}

  async execute(input: SupportActor & AuditSearchInput): Promise<{ items: AuditEvent[]; nextCursor: string | null }> {
    const operator = checkSupportActor(input);
    const filters: Mutable<AuditSearchFilters> = {};
    const query: Mutable<Omit<AuditSearchQuery, 'limit' | 'after'>> = {};
    if (input.organisationId !== undefined) query.organisationId = filters.organisationId = input.organisationId === null ? null : parseIdentifier(input.organisationId, 'organisationId');
    if (input.actorUserId !== undefined) query.actorUserId = filters.actorUserId = parseIdentifier(input.actorUserId, 'actorUserId');
    if (input.targetUserId !== undefined) query.targetUserId = filters.targetUserId = parseIdentifier(input.targetUserId, 'targetUserId');
    if (input.action !== undefined) {
      if (!(auditActions as readonly unknown[]).includes(input.action)) throw invalid('action', 'is not an audited action');
      query.action = filters.action = input.action;
    }
    if (input.from !== undefined) {
      query.from = parseInstant(input.from, 'from');
      filters.from = query.from.toISOString();
    }
    if (input.to !== undefined) {
      query.to = parseInstant(input.to, 'to');
      filters.to = query.to.toISOString();
    }
    if (query.from !== undefined && query.to !== undefined && query.from.getTime() >= query.to.getTime()) throw invalid('to', 'must be after from');
    const limit = input.limit ?? defaultAuditPageSize;
    if (!Number.isInteger(limit) || limit < 1 || limit > maxAuditPageSize) throw invalid('limit', `must be an integer from 1 to ${maxAuditPageSize}`);
    const after = input.cursor === undefined || input.cursor === '' ? null : decodeSearchCursor(input.cursor);
    const page = await this.ports.auditLog.search({ ...query, limit, after });
    await recordUnscoped(this.ports, operator, 'audit.searched', { after: { filters, count: page.items.length } });
    const last = page.items.at(-1);
    return {
      items: page.items.map((found) => found.event),
      nextCursor: page.hasMore && last !== undefined ? encodeBase64Url(JSON.stringify({ v: 1, o: last.position.order, k: last.position.key })) : null,
    };
  }
}
