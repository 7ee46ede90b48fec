import type { AuditEvent } from '../audit/audit-event.js';
import type { AssignedClient, ClientAssignment, ClientAssignmentKey } from '../client/client-assignment.js';
import type { Invitation } from '../invitation/invitation.js';
import type { Membership } from '../membership/membership.js';
import type { OrganisationProfile } from './organisation-status.js';

/**
 * A whole organisation: its profile, every membership and every kept invitation. The shape in which
 * an organisation is created (seeding, provisioning) and in which stores dump it; decisions never
 * need it whole (see {@link OrganisationRecord}).
 */
export interface OrganisationState extends OrganisationProfile {
  readonly memberships: readonly Membership[];
  readonly invitations: readonly Invitation[];
}

/**
 * What a store hands the aggregate for one decision: the organisation exact at `version`, with only
 * the memberships (and client assignments) the decision asked about. Its cost does not depend on
 * the size of the team.
 */
export interface OrganisationRecord {
  readonly profile: OrganisationProfile;
  /** The stored version (1 after the first save). */
  readonly version: number;
  /** How many members hold partner_admin. */
  readonly adminCount: number;
  /** For every user asked about: their membership, or null when they are not a member. */
  readonly members: ReadonlyMap<string, Membership | null>;
  /**
   * For every user asked about: the clients assigned to them within this organisation (empty when
   * none; an assignment may name a non-member when legacy data broke the rule). Stores that leave
   * it out answer as if there were none.
   */
  readonly assignments?: ReadonlyMap<string, readonly AssignedClient[]>;
  /** Every invitation the organisation keeps: pending ones and recently closed ones (bounded). */
  readonly invitations: readonly Invitation[];
}

/**
 * What one decision changed, to be stored atomically with its audit events at the next version.
 * Stores apply it to what they hold; nothing else about the organisation changes — except that a
 * member's client assignments end with their membership: a store drops every assignment of each of
 * `removedMembers` in the same change.
 */
export interface OrganisationChange {
  readonly organisationId: string;
  /** The whole new profile when the change creates the organisation or alters its profile; else null. */
  readonly profile: OrganisationProfile | null;
  /** Memberships added or whose role changed. */
  readonly upsertedMembers: readonly Membership[];
  /** User ids whose membership ended (their client assignments end with it). */
  readonly removedMembers: readonly string[];
  /** Invitations created or whose status changed. */
  readonly upsertedInvitations: readonly Invitation[];
  /** Closed invitations pruned from the organisation. */
  readonly removedInvitations: readonly string[];
  /** Client assignments added, or renamed (same member and client, new name). Absent: none. */
  readonly addedAssignments?: readonly ClientAssignment[];
  /** Client assignments removed. Absent: none. */
  readonly removedAssignments?: readonly ClientAssignmentKey[];
  /** The audit events of the decision (exactly one per accepted command). */
  readonly events: readonly AuditEvent[];
}
