import type { AuditEvent } from '../../domain/audit/audit-event.js';
import type { OrganisationState } from '../../domain/organisation/partner-organisation.js';

/** A loaded organisation and the version it was stored at (1 for the first save). */
export interface VersionedOrganisation {
  readonly state: OrganisationState;
  readonly version: number;
}

/** Most audit events one save may carry (use cases record exactly one). */
export const maxAuditEventsPerSave = 16;

/**
 * Persistence of the PartnerOrganisation aggregate with optimistic concurrency.
 *
 * Implementations must store copies (never keep a reference to a state they were given or returned)
 * and must make `save` atomic: the new state and its audit events are stored together, or nothing
 * is. The contract suite in `@partner-team/testing` checks all of this.
 */
export interface OrganisationRepository {
  /** The current state and version of an organisation, or undefined when it does not exist. */
  load(organisationId: string): Promise<VersionedOrganisation | undefined>;

  /**
   * Stores `state` (version `expectedVersion + 1`) together with `auditEvents`, if and only if the
   * stored version still equals `expectedVersion` (0: the organisation must not exist yet).
   *
   * @throws `ConcurrencyConflictError` when the version moved on; nothing is stored.
   * @throws `MemberOfAnotherOrganisationError` when `state` adds a member who currently belongs to a
   *   different organisation; nothing is stored.
   */
  save(state: OrganisationState, expectedVersion: number, auditEvents: readonly AuditEvent[]): Promise<void>;

  /** The id of the organisation holding an invitation whose token hash is `tokenHash`. */
  findByInvitationTokenHash(tokenHash: string): Promise<string | undefined>;
}
