// The public surface of @partner-team/core: what embedders (use cases, refusals, domain types) and
// adapter authors (ports, records, changes) need. Roster ordering helpers for adapter authors are
// in `@partner-team/core/roster`.

// Refusals: every rule violation is a DomainError with a stable code.
export * from './domain/shared/errors.js';
export { InvalidOrganisationStateError } from './domain/organisation/partner-organisation.js';

// Domain vocabulary
export { identifierPattern, isIdentifier, parseIdentifier } from './domain/shared/identifier.js';
export { normaliseEmail } from './domain/shared/email-address.js';
export { partnerRoles, type PartnerRole } from './domain/membership/partner-role.js';
export type { Membership } from './domain/membership/membership.js';
export { invitationStatuses, type Invitation, type InvitationStatus } from './domain/invitation/invitation.js';
export {
  auditActions,
  auditActorKinds,
  type AuditAction,
  type AuditActorKind,
  type AuditDetail,
  type AuditEvent,
  type AuditSearchFilters,
} from './domain/audit/audit-event.js';
export { maxClientNameLength, type ClientAssignment, type ClientAssignmentKey } from './domain/client/client-assignment.js';
export { maxReasonLength, parseSupportReason } from './domain/support/support-reason.js';
export { organisationStatuses, type OrganisationStatus, type OrganisationProfile } from './domain/organisation/organisation-status.js';
export { permissions, permissionsFor, managesTeam, type Permission } from './domain/organisation/permissions.js';
export {
  PartnerOrganisation,
  type MutationContext,
  type SupportContext,
  type NewOrganisation,
  type ImportedInvitation,
} from './domain/organisation/partner-organisation.js';
export type { OrganisationState, OrganisationRecord, OrganisationChange } from './domain/organisation/organisation-record.js';
export {
  rosterSorts,
  maxRosterPageSize,
  maxSearchTermLength,
  type RosterSort,
  type SortOrder,
  type RosterEntry,
  type RosterQuery,
  type RosterQueryInput,
} from './domain/roster/roster-query.js';

// Ports: what adapters implement
export type { OrganisationRepository } from './application/ports/organisation-repository.js';
export type { MembershipLookup, MemberContext } from './application/ports/membership-lookup.js';
export type { MemberRoster, RosterPage } from './application/ports/member-roster.js';
export type { AuditLog, LoggedAuditEvent, AuditSearchQuery, AuditSearchPosition, SearchedAuditEvent } from './application/ports/audit-log.js';
export type { UserDirectory, DirectoryUser, DirectoryUserUpdate, UserActivity } from './application/ports/user-directory.js';
export type { ClientAssignments, AssignedClient } from './application/ports/client-assignments.js';
export type { Clock } from './application/ports/clock.js';
export type { IdGenerator } from './application/ports/id-generator.js';
export type { InvitationTokens } from './application/ports/invitation-tokens.js';
export { invitationMessage, type InvitationNotifier, type InvitationMessage, type InvitationDelivery } from './application/ports/invitation-notifier.js';
export type { Logger, LogFields } from './application/ports/logger.js';

// The use cases, assembled
export { createPartnerTeam, type PartnerTeam } from './application/partner-team.js';
export { persistencePortsOf, type PersistencePorts, type PartnerTeamPorts, type PartnerTeamOptions, type Actor } from './application/partner-team-ports.js';
export { immediateRetryPolicy, type RetryPolicy } from './application/conflict-retry.js';
export { defaultInvitationTtlMs, type IssuedInvitation } from './application/use-cases/invite-user.js';
export { maxAuditPageSize } from './application/use-cases/list-audit-events.js';
export type { MyContext } from './application/use-cases/get-my-context.js';
export type { MemberList } from './application/use-cases/list-members.js';
export type { MemberView, MemberSummary, MemberDetails } from './application/member-view.js';
export type { InvitationView } from './application/use-cases/invitation-view.js';

// The AiDial support operations (the escalation boundaries), assembled
export { createSupportOperations, type SupportOperations } from './application/operations/support-operations.js';
export type { SupportActor } from './application/operations/support-actor.js';
export { maxBulkSize } from './application/operations/support-input.js';
export type { OrganisationOutcome } from './application/operations/organisation-settings.js';
export type { ImportedMember, InvitationToImport } from './application/operations/import-members.js';
export type { BrokenAssignment } from './application/operations/client-assignment-operations.js';
export type { OrganisationInspection, AuditSearchInput } from './application/operations/support-reads.js';
export type { DirectoryUserInput } from './application/operations/upsert-directory-users.js';
