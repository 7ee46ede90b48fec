/**
 * Every refusal the domain can give, as a stable machine-readable code. The union is closed: adapters
 * (for example the HTTP status table) can check at compile time that they handle each code.
 */
export const domainErrorCodes = [
  'validation_failed',
  'not_a_partner_member',
  'partner_bootstrap_incomplete',
  'organisation_not_active',
  'forbidden',
  'self_role_change_forbidden',
  'self_removal_forbidden',
  'last_admin',
  'member_not_found',
  'invitation_not_found',
  'invitation_expired',
  'already_member',
  'invitation_pending',
  'invitations_disabled',
  'invitation_email_mismatch',
  'too_many_pending_invitations',
  'member_of_another_organisation',
  'email_in_use',
  'concurrency_conflict',
  'organisation_not_found',
  'organisation_exists',
  'organisation_archived',
  'already_bootstrapped',
  'already_partner_admin',
  'user_not_found',
  'assignment_not_found',
] as const;

/** A stable code naming the rule a {@link DomainError} enforces. */
export type DomainErrorCode = (typeof domainErrorCodes)[number];

/**
 * Base class of every rule violation. `code` is stable and safe to show to clients; `message` is a
 * human sentence without internals.
 */
export abstract class DomainError extends Error {
  abstract readonly code: DomainErrorCode;

  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** One problem with an input field. */
export interface ValidationIssue {
  readonly path: string;
  readonly message: string;
}

/** Thrown when an input is malformed (an id, an email address, a page size, a cursor…). */
export class ValidationError extends DomainError {
  readonly code = 'validation_failed';

  constructor(
    message: string,
    readonly issues: readonly ValidationIssue[] = [],
  ) {
    super(message);
  }
}

/** Thrown when the signed-in user has no membership in a partner organisation (or not in this one). */
export class NotAPartnerMemberError extends DomainError {
  readonly code = 'not_a_partner_member';

  constructor() {
    super('You are not a member of a partner organisation');
  }
}

/** Thrown for reads and actions in an organisation whose partner bootstrap AiDial has not completed. */
export class PartnerBootstrapIncompleteError extends DomainError {
  readonly code = 'partner_bootstrap_incomplete';

  constructor() {
    super('Partner bootstrap is not complete for this organisation; contact AiDial support');
  }
}

/** Thrown for management actions while the organisation is suspended or archived. */
export class OrganisationNotActiveError extends DomainError {
  readonly code = 'organisation_not_active';

  constructor(readonly status: 'suspended' | 'archived') {
    super(`The organisation is ${status}; management actions are blocked until AiDial support resolves its status`);
  }
}

/** Thrown when the actor's role does not allow the action (partner_users only read). */
export class ForbiddenError extends DomainError {
  readonly code = 'forbidden';

  constructor(message = 'Your role does not allow this action') {
    super(message);
  }
}

/** Thrown when an actor tries to change their own role. */
export class SelfRoleChangeError extends DomainError {
  readonly code = 'self_role_change_forbidden';

  constructor() {
    super('You cannot change your own role');
  }
}

/** Thrown when an actor tries to remove themselves. */
export class SelfRemovalError extends DomainError {
  readonly code = 'self_removal_forbidden';

  constructor() {
    super('You cannot remove yourself from the organisation');
  }
}

/** Thrown when a change would leave the organisation without a partner_admin. */
export class LastAdminError extends DomainError {
  readonly code = 'last_admin';

  constructor(readonly organisationId: string) {
    super('An organisation must keep at least one partner_admin');
  }
}

/** Thrown when the target user is not a current member of the actor's organisation (wherever else they are). */
export class MemberNotFoundError extends DomainError {
  readonly code = 'member_not_found';

  constructor(message = 'No such member in your organisation') {
    super(message);
  }
}

/** Thrown when no pending invitation matches (missing, of another organisation, revoked or accepted). */
export class InvitationNotFoundError extends DomainError {
  readonly code = 'invitation_not_found';

  constructor() {
    super('No such invitation');
  }
}

/** Thrown when an invitation's expiry has passed. */
export class InvitationExpiredError extends DomainError {
  readonly code = 'invitation_expired';

  constructor() {
    super('The invitation has expired');
  }
}

/** Thrown when inviting or admitting someone who already belongs to the organisation. */
export class AlreadyMemberError extends DomainError {
  readonly code = 'already_member';

  constructor() {
    super('This user is already a member of the organisation');
  }
}

/** Thrown when the organisation already has a pending, unexpired invitation for the email address. */
export class InvitationPendingError extends DomainError {
  readonly code = 'invitation_pending';

  constructor() {
    super('A pending invitation for this email address already exists');
  }
}

/** Thrown when invitations are disabled for the organisation. */
export class InvitationsDisabledError extends DomainError {
  readonly code = 'invitations_disabled';

  constructor() {
    super('Invitations are disabled for this organisation');
  }
}

/** Thrown when the organisation already has the most pending invitations it may have. */
export class TooManyPendingInvitationsError extends DomainError {
  readonly code = 'too_many_pending_invitations';

  constructor(readonly limit: number) {
    super(`An organisation may have at most ${limit} pending invitations; revoke some first`);
  }
}

/** Thrown when the signed-in user's email differs from the invitation's. */
export class InvitationEmailMismatchError extends DomainError {
  readonly code = 'invitation_email_mismatch';

  constructor() {
    super('This invitation was sent to a different email address');
  }
}

/** Thrown when a user who belongs to one partner organisation would join another. */
export class MemberOfAnotherOrganisationError extends DomainError {
  readonly code = 'member_of_another_organisation';

  constructor() {
    super('You already belong to another partner organisation');
  }
}

/** Thrown by the directory when an email address would belong to two users. */
export class EmailInUseError extends DomainError {
  readonly code = 'email_in_use';

  constructor(readonly email: string) {
    super('This email address belongs to another user');
  }
}

/**
 * Thrown by a repository when the stored version moved on since loading, and by use cases when the
 * conflict persisted through every retry.
 */
export class ConcurrencyConflictError extends DomainError {
  readonly code = 'concurrency_conflict';

  constructor(readonly organisationId: string) {
    super('The organisation changed concurrently; try again');
  }
}

/** Thrown by support operations naming an organisation that does not exist. */
export class OrganisationNotFoundError extends DomainError {
  readonly code = 'organisation_not_found';

  constructor(readonly organisationId: string) {
    super(`No organisation ${organisationId}`);
  }
}

/** Thrown when provisioning an organisation whose id is taken. */
export class OrganisationExistsError extends DomainError {
  readonly code = 'organisation_exists';

  constructor(readonly organisationId: string) {
    super(`An organisation ${organisationId} already exists`);
  }
}

/**
 * Thrown for support operations that add to an archived organisation (members, admins, clients,
 * bootstrap, the invitations switch): reactivate it first. Status changes, removing assignments and
 * reads still work.
 */
export class OrganisationArchivedError extends DomainError {
  readonly code = 'organisation_archived';

  constructor(readonly organisationId: string) {
    super('The organisation is archived; change its status first');
  }
}

/** Thrown when completing the bootstrap of an organisation whose bootstrap is already complete. */
export class AlreadyBootstrappedError extends DomainError {
  readonly code = 'already_bootstrapped';

  constructor(readonly organisationId: string) {
    super('Partner bootstrap is already complete for this organisation');
  }
}

/** Thrown when granting partner_admin to a member who already holds it. */
export class AlreadyPartnerAdminError extends DomainError {
  readonly code = 'already_partner_admin';

  constructor() {
    super('This member is already a partner_admin');
  }
}

/** Thrown when a support operation names a user the directory does not know. */
export class UserNotFoundError extends DomainError {
  readonly code = 'user_not_found';

  constructor(readonly userId: string) {
    super(`No user ${userId} in the directory; add them to the directory first`);
  }
}

/** Thrown when removing a client assignment that does not exist. */
export class AssignmentNotFoundError extends DomainError {
  readonly code = 'assignment_not_found';

  constructor(
    readonly userId: string,
    readonly clientId: string,
  ) {
    super(`${userId} is not assigned to client ${clientId} in this organisation`);
  }
}

/**
 * Thrown by adapters when the store cannot be reached or answered too late. Not a domain rule: the
 * HTTP adapter answers it with 503.
 *
 * `outcome: 'unknown'` says more: a write was sent, and whether it was applied cannot be told (its
 * answer was lost, and so was the check). The caller must not assume it failed: reload before
 * retrying, or the retry may meet its own first attempt (an invitation already pending, say).
 */
export class StoreUnavailableError extends Error {
  readonly code = 'unavailable';
  /** Set when a write may or may not have been applied; absent when nothing was (or it is known not to be). */
  readonly outcome?: 'unknown';

  constructor(message = 'The store is unavailable', options?: { cause?: unknown; outcome?: 'unknown' }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'StoreUnavailableError';
    if (options?.outcome !== undefined) this.outcome = options.outcome;
  }
}
