import type { AuditAction, AuditEvent } from '../../domain/audit/audit-event.js';

/** An audit event and its position in its organisation's log (strictly increasing with time of commit). */
export interface LoggedAuditEvent {
  readonly event: AuditEvent;
  readonly position: number;
}

/**
 * Where an event stands in the whole log (every organisation's events and those that belong to
 * none): positions order events by `order`, then `key`, both descending for newest first. Stores
 * decide what they hold (a sequence number, a commit time and id…); callers only hand them back.
 */
export interface AuditSearchPosition {
  readonly order: number;
  readonly key: string;
}

/** An event found by a search, with its position in the whole log. */
export interface SearchedAuditEvent {
  readonly event: AuditEvent;
  readonly position: AuditSearchPosition;
}

/** What an audit search asks for; every filter is optional and they combine with "and". */
export interface AuditSearchQuery {
  /** Events of this organisation; `null`: only events that belong to no organisation. */
  readonly organisationId?: string | null;
  readonly actorUserId?: string;
  readonly targetUserId?: string;
  readonly action?: AuditAction;
  /** Events at or after this instant. */
  readonly from?: Date;
  /** Events strictly before this instant. */
  readonly to?: Date;
  readonly limit: number;
  /** Only events after this position in newest-first order (the last item of the previous page). */
  readonly after: AuditSearchPosition | null;
}

/**
 * The one audit log of both surfaces. An organisation's events are written with its state (by
 * `OrganisationRepository.save`); events that belong to no organisation (directory changes,
 * support reads) are recorded here. Partner members read their organisation's events with `page`,
 * which never shows another organisation's or organisation-less events; AiDial support searches
 * across all of them.
 */
export interface AuditLog {
  /** Events of `organisationId` with position below `beforePosition` (all when null), newest first. */
  page(
    organisationId: string,
    query: { readonly limit: number; readonly beforePosition: number | null },
  ): Promise<{ readonly items: readonly LoggedAuditEvent[]; readonly hasMore: boolean }>;

  /**
   * Records an event that belongs to no organisation (`organisationId` null).
   *
   * @throws RangeError for an event of an organisation (those are saved with their change).
   */
  record(event: AuditEvent): Promise<void>;

  /** Events of every organisation and of none matching the query, newest first. */
  search(query: AuditSearchQuery): Promise<{ readonly items: readonly SearchedAuditEvent[]; readonly hasMore: boolean }>;
}
