// Domain
export * from './domain/shared/errors.js';
export { parseIdentifier, isIdentifier, identifierPattern } from './domain/shared/identifier.js';
export { normaliseEmail } from './domain/shared/email-address.js';
export { partnerRoles, isPartnerRole, type PartnerRole } from './domain/membership/partner-role.js';
export type { Membership } from './domain/membership/membership.js';
export {
  invitationStatuses,
  effectiveInvitationStatus,
  type Invitation,
  type InvitationStatus,
} from './domain/invitation/invitation.js';
export { auditActions, type AuditAction, type AuditDetail, type AuditEvent } from './domain/audit/audit-event.js';
export {
  organisationStatuses,
  isOrganisationStatus,
  type OrganisationStatus,
  type OrganisationProfile,
} from './domain/organisation/organisation-status.js';
export { permissions, permissionsFor, type Permission } from './domain/organisation/permissions.js';
export {
  PartnerOrganisation,
  InvalidOrganisationStateError,
  closedInvitationRetentionMs,
  maxPendingInvitations,
  maxClosedInvitationsKept,
  type OrganisationState,
  type MutationContext,
  type NewInvitation,
  type InvitationAcceptance,
} from './domain/organisation/partner-organisation.js';
export {
  rosterSorts,
  textKey,
  compareText,
  comparePositions,
  rosterPosition,
  matchesRosterSearch,
  referenceRosterPage,
  encodeRosterCursor,
  parseRosterQuery,
  defaultRosterPageSize,
  maxRosterPageSize,
  maxSearchTermLength,
  type RosterSort,
  type SortOrder,
  type RosterEntry,
  type RosterPosition,
  type RosterQuery,
  type RosterQueryInput,
} from './domain/roster/roster-query.js';

// Ports
export {
  maxAuditEventsPerSave,
  type OrganisationRepository,
  type VersionedOrganisation,
} from './application/ports/organisation-repository.js';
export type { MembershipLookup, MemberContext, MemberContextWithTeammate } from './application/ports/membership-lookup.js';
export type { UserDirectory, DirectoryUser } from './application/ports/user-directory.js';
export type { MemberRoster, RosterPage } from './application/ports/member-roster.js';
export type { ClientAssignments, AssignedClient } from './application/ports/client-assignments.js';
export type { AuditLog, LoggedAuditEvent } from './application/ports/audit-log.js';
export type { Clock } from './application/ports/clock.js';
export type { IdGenerator } from './application/ports/id-generator.js';
export type { InvitationTokens } from './application/ports/invitation-tokens.js';
export type { InvitationNotifier, InvitationMessage } from './application/ports/invitation-notifier.js';
export { invitationMessage } from './application/ports/invitation-notifier.js';
export type { Logger, LogFields } from './application/ports/logger.js';

// Application
export {
  retryOnConflict,
  defaultRetryPolicy,
  immediateRetryPolicy,
  type RetryPolicy,
} from './application/conflict-retry.js';
export type { PartnerTeamPorts, PersistencePorts, PartnerTeamOptions, Actor } from './application/partner-team-ports.js';
export { persistencePortsOf } from './application/partner-team-ports.js';
export { createPartnerTeam, type PartnerTeam } from './application/partner-team.js';
export { viewMember, type MemberView, type MemberSummary, type MemberDetails } from './application/member-view.js';
export type { InvitationView } from './application/use-cases/invitation-view.js';
export { GetMyContext, type MyContext } from './application/use-cases/get-my-context.js';
export { ListMembers, type MemberList } from './application/use-cases/list-members.js';
export { ListAssignedClients } from './application/use-cases/list-assigned-clients.js';
export { ListPendingInvitations } from './application/use-cases/list-pending-invitations.js';
export { InviteUser, defaultInvitationTtlMs } from './application/use-cases/invite-user.js';
export { RevokeInvitation } from './application/use-cases/revoke-invitation.js';
export { ChangeMemberRole } from './application/use-cases/change-member-role.js';
export { RemoveMember } from './application/use-cases/remove-member.js';
export { AcceptInvitation } from './application/use-cases/accept-invitation.js';
export { ListAuditEvents, defaultAuditPageSize, maxAuditPageSize } from './application/use-cases/list-audit-events.js';
