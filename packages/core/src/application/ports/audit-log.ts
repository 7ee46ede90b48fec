import type { AuditEvent } from '../../domain/audit/audit-event.js';

/** An audit event and its position in its organisation's log (strictly increasing with time of commit). */
export interface LoggedAuditEvent {
  readonly event: AuditEvent;
  readonly position: number;
}

/** Reads an organisation's audit events, newest first. */
export interface AuditLog {
  /** Events of `organisationId` with position below `beforePosition` (all when null), newest first. */
  page(
    organisationId: string,
    query: { readonly limit: number; readonly beforePosition: number | null },
  ): Promise<{ readonly items: readonly LoggedAuditEvent[]; readonly hasMore: boolean }>;
}
