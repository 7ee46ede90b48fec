import type { AuditLog } from './ports/audit-log.js';
import type { ClientAssignments } from './ports/client-assignments.js';
import type { Clock } from './ports/clock.js';
import type { IdGenerator } from './ports/id-generator.js';
import type { InvitationNotifier } from './ports/invitation-notifier.js';
import type { InvitationTokens } from './ports/invitation-tokens.js';
import type { Logger } from './ports/logger.js';
import type { MemberRoster } from './ports/member-roster.js';
import type { MembershipLookup } from './ports/membership-lookup.js';
import type { OrganisationRepository } from './ports/organisation-repository.js';
import type { UserDirectory } from './ports/user-directory.js';
import type { RetryPolicy } from './conflict-retry.js';

/** The ports a store provides: what an adapter package implements. */
export interface PersistencePorts {
  readonly organisations: OrganisationRepository;
  readonly memberships: MembershipLookup;
  readonly roster: MemberRoster;
  readonly auditLog: AuditLog;
  readonly users: UserDirectory;
  readonly clients: ClientAssignments;
}

/** Just the persistence ports of `store` (which may carry more, e.g. a whole store object). */
export function persistencePortsOf(store: PersistencePorts): PersistencePorts {
  const { organisations, memberships, roster, auditLog, users, clients } = store;
  return { organisations, memberships, roster, auditLog, users, clients };
}

/** Every port the use cases need. */
export interface PartnerTeamPorts extends PersistencePorts {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly tokens: InvitationTokens;
  readonly notifier: InvitationNotifier;
  readonly logger: Logger;
}

/** Tunables with safe defaults. */
export interface PartnerTeamOptions {
  /** Lifetime of a new invitation; default 7 days. */
  readonly invitationTtlMs?: number;
  /** Conflict retries; default {@link defaultRetryPolicy}. */
  readonly retry?: RetryPolicy;
}

/** Who calls a use case: the signed-in user id, never an organisation or client id from the caller. */
export interface Actor {
  readonly actorUserId: string;
  /** Correlates the audit event with the request that caused it. */
  readonly requestId?: string | null;
}
